#include "common/status.h"

#include <gtest/gtest.h>

namespace jikji {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, NamedFactoriesCarryCodeAndMessage) {
  Status s = Status::NotFound("no such url");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.ToString(), "NotFound: no such url");
  EXPECT_EQ(s.WithContext("archive").message(), "archive: no such url");
}

TEST(StatusTest, RetryableCodes) {
  EXPECT_TRUE(Status::Unavailable("503").IsRetryable());
  EXPECT_TRUE(Status::DeadlineExceeded("slow").IsRetryable());
  EXPECT_FALSE(Status::InvalidArgument("bad").IsRetryable());
  EXPECT_FALSE(Status::ResourceExhausted("cap").IsRetryable());
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good(42);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad(Status::IOError("disk"));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kIOError);
}

}  // namespace
}  // namespace jikji
