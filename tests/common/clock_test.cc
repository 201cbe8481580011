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


TEST(ParseHttpDateTest, AcceptsTheThreeFormsOfRfc9110) {
  // RFC 9110 5.6.7's example, in its three spellings: 784111777.
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(ParseHttpDate("Wed, 21 Oct 2026 07:28:00 GMT"), 1792567680);
  EXPECT_EQ(ParseHttpDate("sun, 06 nov 1994 08:49:37 gmt"), 784111777);  // case-insensitive
}

TEST(ParseHttpDateTest, RejectsWhatIsNotADate) {
  for (const char* bad : {"", "120", "soon", "Sun, 06 Nov 1994", "Sun, 32 Nov 1994 08:49:37 GMT",
                          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                          "Sun, 06 Nov 1994 08:49 GMT", "Sun, 06 Nov 1994 08:49:37 PST",
                          "Sun, 06 Nov 1994 08:49:37 GMT 12 13"}) {
    EXPECT_EQ(ParseHttpDate(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(ParseHttpDate(std::string(100, '1')), std::nullopt);
}

}  // namespace
}  // namespace jikji
