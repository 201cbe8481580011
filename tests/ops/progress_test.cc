#include "ops/progress.h"

#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "common/clock.h"

namespace jikji::ops {
namespace {

constexpr int64_t kMs = 1000;
constexpr int64_t kSec = 1000 * kMs;

struct Capture {
  std::vector<std::string> writes;
  Progress::Sink Sink() {
    return [this](std::string_view text) { writes.emplace_back(text); };
  }
};

ProgressOptions Tty(const std::string& label) {
  ProgressOptions o;
  o.label = label;
  o.tty = true;
  return o;
}

TEST(ProgressTest, TtyRedrawsAtMostEvery200ms) {
  ManualClock clock;
  Capture out;
  Progress p(Tty("crawl"), &clock, out.Sink());
  p.SetTotal(100);
  p.Add(1);  // t = 0: too soon after start
  EXPECT_TRUE(out.writes.empty());
  clock.Advance(199 * kMs);
  p.Add(1);
  EXPECT_TRUE(out.writes.empty());
  clock.Advance(1 * kMs);  // t = 200 ms
  p.Add(1);
  ASSERT_EQ(out.writes.size(), 1u);
  // 3 of 100 in 0.2 s = 15/s; 97 left at 15/s = 6.47 s -> 6s.
  EXPECT_EQ(out.writes[0], "\rcrawl: 3/100 (3.0%), 15.0/s, 0 errors, ETA 6s\x1b[K");
  clock.Advance(100 * kMs);
  p.Add(1);
  EXPECT_EQ(out.writes.size(), 1u);  // only 100 ms since the last draw
  clock.Advance(100 * kMs);
  p.Add(1, 1);
  ASSERT_EQ(out.writes.size(), 2u);
  EXPECT_EQ(out.writes[1].rfind("\rcrawl: 5/100 (5.0%), 12.5/s, 1 error, ETA ", 0), 0u) << out.writes[1];
}

TEST(ProgressTest, FinishDrawsOnceWithNewline) {
  ManualClock clock;
  Capture out;
  Progress p(Tty("export"), &clock, out.Sink());
  p.SetTotal(4);
  p.Add(4);
  clock.Advance(2 * kSec);
  p.Finish();
  ASSERT_EQ(out.writes.size(), 1u);
  EXPECT_EQ(out.writes[0], "\rexport: 4/4 (100.0%), 2.0/s, 0 errors\x1b[K\n");
  clock.Advance(10 * kSec);
  p.Add(1);
  p.Finish();
  EXPECT_EQ(out.writes.size(), 1u);  // nothing after Finish
}

TEST(ProgressTest, LogModeWritesPlainLinesEveryInterval) {
  ManualClock clock;
  Capture out;
  ProgressOptions o;
  o.label = "daemon";
  o.tty = false;
  o.log_interval_micros = 60 * kSec;
  Progress p(o, &clock, out.Sink());
  for (int i = 0; i < 59; ++i) {
    clock.Advance(kSec);
    p.Add(10);
  }
  EXPECT_TRUE(out.writes.empty());
  clock.Advance(kSec);
  p.Add(10);
  ASSERT_EQ(out.writes.size(), 1u);
  EXPECT_EQ(out.writes[0], "daemon: 600 done, 10.0/s, 0 errors");  // no total: no ETA, no \r
  clock.Advance(30 * kSec);
  p.Add(0, 2);
  EXPECT_EQ(out.writes.size(), 1u);
  clock.Advance(30 * kSec);
  p.Add(0);
  ASSERT_EQ(out.writes.size(), 2u);
  EXPECT_EQ(out.writes[1], "daemon: 600 done, 5.0/s, 2 errors");
  p.Finish();
  ASSERT_EQ(out.writes.size(), 3u);
  EXPECT_EQ(out.writes[2], "daemon: 600 done, 5.0/s, 2 errors");  // no newline in log mode
}

TEST(ProgressTest, LineWithoutProgressHasUnknownEta) {
  ManualClock clock;
  Capture out;
  Progress p(Tty("rebuild"), &clock, out.Sink());
  p.SetTotal(10);
  EXPECT_EQ(p.Line(), "rebuild: 0/10 (0.0%), 0.0/s, 0 errors, ETA ?");
  clock.Advance(kSec);
  p.Add(1);
  // 9 left at 1/s.
  EXPECT_EQ(p.Line(), "rebuild: 1/10 (10.0%), 1.0/s, 0 errors, ETA 9s");
}

TEST(ProgressTest, FormatEta) {
  EXPECT_EQ(FormatEta(0), "0s");
  EXPECT_EQ(FormatEta(59), "59s");
  EXPECT_EQ(FormatEta(60), "1m00s");
  EXPECT_EQ(FormatEta(187), "3m07s");
  EXPECT_EQ(FormatEta(3600), "1h00m");
  EXPECT_EQ(FormatEta(3720 + 59), "1h02m");
  EXPECT_EQ(FormatEta(-5), "0s");
}

TEST(ProgressTest, ConcurrentAddCountsEverything) {
  ManualClock clock;
  std::atomic<int> writes{0};
  std::string last;
  ProgressOptions o = Tty("crawl");
  o.tty_interval_micros = 1;  // draw as often as the clock allows
  Progress p(o, &clock, [&](std::string_view text) {
    // The sink is never entered by two threads at once.
    int before = writes.fetch_add(1);
    last.assign(text);
    EXPECT_EQ(writes.load(), before + 1);
  });
  p.SetTotal(4 * 5000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        clock.Advance(1);
        p.Add(1, i % 100 == 0 ? 1 : 0);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(p.done(), 20000);
  EXPECT_EQ(p.errors(), 200);
  p.Finish();
  EXPECT_GT(writes.load(), 1);
  EXPECT_EQ(last.rfind("\rcrawl: 20000/20000 (100.0%)", 0), 0u) << last;
  EXPECT_NE(last.find(", 200 errors"), std::string::npos) << last;
}

TEST(ProgressTest, SetReplacesCountsAndDetailIsAppended) {
  ManualClock clock;
  Capture out;
  Progress p(Tty("crawl"), &clock, out.Sink());
  p.SetTotal(50);
  p.SetDetail("12 pages");
  clock.Advance(2 * kSec);
  p.Set(10, 2);
  ASSERT_EQ(out.writes.size(), 1u);
  // 10 in 2 s = 5/s; 40 left -> 8 s.
  EXPECT_EQ(out.writes[0], "\rcrawl: 10/50 (20.0%), 5.0/s, 2 errors, ETA 8s, 12 pages\x1b[K");
  p.Set(20, 2);  // totals, not deltas
  EXPECT_EQ(p.done(), 20);
  EXPECT_EQ(p.errors(), 2);
  p.SetDetail("");
  EXPECT_EQ(p.Line(), "crawl: 20/50 (40.0%), 10.0/s, 2 errors, ETA 3s");
}

TEST(ProgressTest, RenderNowIgnoresTheIntervalAndDoesNotEndTheLine) {
  ManualClock clock;
  Capture out;
  Progress p(Tty("rebuild"), &clock, out.Sink());
  p.SetTotal(10);
  clock.Advance(kSec);
  p.Set(5, 0);
  ASSERT_EQ(out.writes.size(), 1u);
  p.RenderNow();  // 0 ms after the previous line
  ASSERT_EQ(out.writes.size(), 2u);
  EXPECT_EQ(out.writes[1], "\rrebuild: 5/10 (50.0%), 5.0/s, 0 errors, ETA 1s\x1b[K");
  p.Finish();
  ASSERT_EQ(out.writes.size(), 3u);
  EXPECT_EQ(out.writes[2].back(), '\n');
  p.RenderNow();
  EXPECT_EQ(out.writes.size(), 3u);  // nothing after Finish
}

TEST(ProgressTest, RecentRateCountsOnlySinceThePreviousLine) {
  ManualClock clock;
  Capture out;
  ProgressOptions o;
  o.label = "daemon";
  o.log_interval_micros = 60 * kSec;
  o.recent_rate = true;
  Progress p(o, &clock, out.Sink());
  p.SetDetail("queue 3");
  clock.Advance(60 * kSec);
  p.Set(600, 0);  // 600 in the first minute
  ASSERT_EQ(out.writes.size(), 1u);
  EXPECT_EQ(out.writes[0], "daemon: 600 done, 10.0/s, 0 errors, queue 3");
  clock.Advance(60 * kSec);
  p.Set(660, 1);  // 60 in the second: 1/s, not the 5.5/s average
  ASSERT_EQ(out.writes.size(), 2u);
  EXPECT_EQ(out.writes[1], "daemon: 660 done, 1.0/s, 1 error, queue 3");
  clock.Advance(60 * kSec);
  p.RenderNow();  // an idle minute
  ASSERT_EQ(out.writes.size(), 3u);
  EXPECT_EQ(out.writes[2], "daemon: 660 done, 0.0/s, 1 error, queue 3");
}

TEST(ProgressTest, ResolveOptionsFollowsTheModeAndTheTerminal) {
  EXPECT_FALSE(ResolveProgressOptions("crawl", ProgressMode::kOff).has_value());
  auto on = ResolveProgressOptions("crawl", ProgressMode::kOn);
  ASSERT_TRUE(on.has_value());
  EXPECT_EQ(on->label, "crawl");
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  EXPECT_EQ(on->tty, tty);
  // Without a terminal, the default shows nothing (no spam in CI logs).
  EXPECT_EQ(ResolveProgressOptions("crawl", ProgressMode::kAuto).has_value(), tty);
}

}  // namespace
}  // namespace jikji::ops
