#include "common/clock.h"

#include <gtest/gtest.h>

namespace jikji {
namespace {

TEST(ClockTest, FormatIsoUtc) {
  EXPECT_EQ(FormatIsoUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoUtc(1738822500LL * 1000000), "2025-02-06T06:15:00Z");
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(1000);
  EXPECT_EQ(clock.NowMicros(), 1000);
  clock.Advance(500);
  EXPECT_EQ(clock.NowMicros(), 1500);
  EXPECT_EQ(clock.MonotonicMicros(), 1500);
}

TEST(ClockTest, ParseDuration) {
  int64_t ms = 0;
  ASSERT_TRUE(ParseDurationMillis("15m", &ms));
  EXPECT_EQ(ms, 900000);
  ASSERT_TRUE(ParseDurationMillis("500ms", &ms));
  EXPECT_EQ(ms, 500);
  ASSERT_TRUE(ParseDurationMillis("2", &ms));
  EXPECT_EQ(ms, 2000);
  ASSERT_TRUE(ParseDurationMillis("1.5h", &ms));
  EXPECT_EQ(ms, 5400000);
  EXPECT_FALSE(ParseDurationMillis("", &ms));
  EXPECT_FALSE(ParseDurationMillis("ten", &ms));
  EXPECT_FALSE(ParseDurationMillis("5y", &ms));
}

}  // namespace
}  // namespace jikji
