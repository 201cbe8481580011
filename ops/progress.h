// Progress: progress reporting for one-shot commands (crawl, rebuild,
// export) and a periodic summary for the daemon.
//
// Fed with Add(done, errors) (deltas) or Set(done, errors) (totals so far)
// and SetTotal(total). On a terminal it redraws
// one line in place ("\r" + line + erase-to-end) at most every
// tty_interval; elsewhere it writes a plain line at most every
// log_interval. A line reads
//   "crawl: 1200/5000 (24.0%), 35.2/s, 3 errors, ETA 1m48s"
// or, with no total, "crawl: 1200 done, 35.2/s, 3 errors".
// The rate is the average since construction (or, with recent_rate, since
// the previous line); ETA = remaining / rate. SetDetail() appends a
// caller's text (", queue 12, scheduled 340").
//
// Thread safety: every method may be called from any thread. Add is two relaxed atomic adds plus a clock read; rendering is
// done by whichever caller finds the interval elapsed (others skip it, so
// they never wait on the sink). The clock and sink must outlive the
// Progress; the sink is never called concurrently.
#ifndef JIKJI_OPS_PROGRESS_H_
#define JIKJI_OPS_PROGRESS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace jikji::ops {

struct ProgressOptions {
  std::string label = "progress";
  // Terminal mode (redrawn line) or log mode (one line per interval).
  bool tty = false;
  int64_t tty_interval_micros = 200'000;     // 200 ms
  int64_t log_interval_micros = 10'000'000;  // 10 s; the daemon uses 60 s
  // Rate (and ETA) over the time since the previous line instead of since
  // construction: what a daemon's per-minute line wants.
  bool recent_rate = false;
};

// The --progress / --no-progress choice of a one-shot command.
enum class ProgressMode {
  kAuto,  // a redrawn line when stderr is a terminal; nothing otherwise
  kOn,    // as kAuto on a terminal; elsewhere a logged line every log_interval
  kOff,   // nothing
};

// Options for `label` under `mode`, or nullopt when no progress is shown
// (kOff, or kAuto without a terminal on stderr).
std::optional<ProgressOptions> ResolveProgressOptions(std::string label, ProgressMode mode);

class Progress {
 public:
  // Where the text goes. In tty mode it receives the raw bytes to write
  // ("\r...\x1b[K", and "\n" at Finish); in log mode one line without
  // newline per call.
  using Sink = std::function<void(std::string_view text)>;

  // REQUIRES: clock outlives this object.
  Progress(ProgressOptions options, const Clock* clock, Sink sink);

  // tty = isatty(stderr); the sink writes to stderr in tty mode and logs
  // through spdlog (info) otherwise.
  static ProgressOptions DetectOptions(std::string label);
  static Sink DefaultSink(bool tty);

  // total <= 0: unknown.
  void SetTotal(int64_t total);
  void Add(int64_t done, int64_t errors = 0);
  // Replaces the counts with totals so far (for callers that poll
  // counters, such as a crawl's snapshot).
  void Set(int64_t done, int64_t errors);
  // Text appended to the line after ", "; empty: nothing.
  void SetDetail(std::string detail);
  // Renders a line now, whatever the interval (a daemon calls this once a
  // minute). Does not end a terminal line. Nothing after Finish.
  void RenderNow();
  // Renders the final line now (whatever the interval) and, on a
  // terminal, ends it with a newline. Later calls do nothing.
  void Finish();

  // The current line, without "\r" or newline.
  std::string Line() const;

  int64_t done() const { return done_.load(std::memory_order_relaxed); }
  int64_t errors() const { return errors_.load(std::memory_order_relaxed); }

 private:
  enum class Render { kIfDue, kNow, kFinal };
  void MaybeRender(Render how);

  const ProgressOptions options_;
  const Clock* clock_;
  const Sink sink_;
  const int64_t start_micros_;
  std::atomic<int64_t> done_{0};
  std::atomic<int64_t> errors_{0};
  std::atomic<int64_t> total_{0};
  std::atomic<int64_t> last_render_micros_;
  // Where the recent_rate window starts: the previous line's time and count.
  std::atomic<int64_t> window_micros_;
  std::atomic<int64_t> window_done_{0};
  std::mutex render_mu_;  // serialises the sink
  bool finished_ = false;  // GUARDED_BY(render_mu_)
  mutable std::mutex detail_mu_;
  std::string detail_;  // GUARDED_BY(detail_mu_)
};

// True while DefaultSink(true) has drawn a line on stderr that is not yet
// ended with a newline. The stderr log sink (ops/logging.h) then clears
// that line before it writes a log line; the next redraw draws it again.
bool TerminalProgressLineOpen();

// "1h02m", "3m07s", "42s".
std::string FormatEta(int64_t seconds);

}  // namespace jikji::ops

#endif  // JIKJI_OPS_PROGRESS_H_
