#include "common/sched.h"

#include <thread>

#include <gtest/gtest.h>

namespace jikji {
namespace {

// Each case runs in a thread of its own, so the test binary's main thread
// keeps its policy.

TEST(SchedTest, BatchSchedulingIsSetAndInheritedByLaterThreads) {
  if (UsesBatchScheduling()) GTEST_SKIP() << "the test itself runs under SCHED_BATCH";
  bool before = true, after = false, child = false;
  Status status;
  std::thread t([&] {
    before = UsesBatchScheduling();
    status = UseBatchScheduling();
    after = UsesBatchScheduling();
    std::thread c([&] { child = UsesBatchScheduling(); });
    c.join();
  });
  t.join();
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_FALSE(before);
  EXPECT_TRUE(after);
  EXPECT_TRUE(child);
}

TEST(SchedTest, OtherThreadsKeepTheirPolicy) {
  if (UsesBatchScheduling()) GTEST_SKIP() << "the test itself runs under SCHED_BATCH";
  bool other = true;
  std::thread t([&] { ASSERT_TRUE(UseBatchScheduling().ok()); });
  t.join();
  std::thread u([&] { other = UsesBatchScheduling(); });
  u.join();
  EXPECT_FALSE(other);
}

}  // namespace
}  // namespace jikji
