#include "ops/progress.h"

#include <unistd.h>

#include <cstdio>
#include <utility>

#include <spdlog/spdlog.h>

namespace jikji::ops {

std::string FormatEta(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  char buf[48];
  if (seconds >= 3600) {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", static_cast<long long>(seconds / 3600),
                  static_cast<long long>((seconds % 3600) / 60));
  } else if (seconds >= 60) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(seconds));
  }
  return buf;
}

Progress::Progress(ProgressOptions options, const Clock* clock, Sink sink)
    : options_(std::move(options)),
      clock_(clock),
      sink_(std::move(sink)),
      start_micros_(clock->MonotonicMicros()),
      last_render_micros_(start_micros_) {}

ProgressOptions Progress::DetectOptions(std::string label) {
  ProgressOptions o;
  o.label = std::move(label);
  o.tty = ::isatty(STDERR_FILENO) == 1;
  return o;
}

Progress::Sink Progress::DefaultSink(bool tty) {
  if (tty) {
    return [](std::string_view text) {
      std::fwrite(text.data(), 1, text.size(), stderr);
      std::fflush(stderr);
    };
  }
  return [](std::string_view text) { spdlog::info("{}", text); };
}

void Progress::SetTotal(int64_t total) { total_.store(total, std::memory_order_relaxed); }

void Progress::Add(int64_t done, int64_t errors) {
  if (done != 0) done_.fetch_add(done, std::memory_order_relaxed);
  if (errors != 0) errors_.fetch_add(errors, std::memory_order_relaxed);
  MaybeRender(false);
}

void Progress::Finish() { MaybeRender(true); }

std::string Progress::Line() const {
  const int64_t done = done_.load(std::memory_order_relaxed);
  const int64_t errors = errors_.load(std::memory_order_relaxed);
  const int64_t total = total_.load(std::memory_order_relaxed);
  const int64_t elapsed = clock_->MonotonicMicros() - start_micros_;
  const double rate = elapsed > 0 ? static_cast<double>(done) * 1e6 / static_cast<double>(elapsed) : 0.0;
  char buf[256];
  std::string line = options_.label + ": ";
  if (total > 0) {
    std::snprintf(buf, sizeof(buf), "%lld/%lld (%.1f%%)", static_cast<long long>(done),
                  static_cast<long long>(total), 100.0 * static_cast<double>(done) / static_cast<double>(total));
  } else {
    std::snprintf(buf, sizeof(buf), "%lld done", static_cast<long long>(done));
  }
  line += buf;
  std::snprintf(buf, sizeof(buf), ", %.1f/s, %lld error%s", rate, static_cast<long long>(errors),
                errors == 1 ? "" : "s");
  line += buf;
  if (total > 0 && done < total) {
    if (rate > 0) {
      line += ", ETA " + FormatEta(static_cast<int64_t>(static_cast<double>(total - done) / rate + 0.5));
    } else {
      line += ", ETA ?";
    }
  }
  return line;
}

void Progress::MaybeRender(bool force) {
  const int64_t interval = options_.tty ? options_.tty_interval_micros : options_.log_interval_micros;
  const int64_t now = clock_->MonotonicMicros();
  int64_t last = last_render_micros_.load(std::memory_order_relaxed);
  if (!force && now - last < interval) return;
  std::unique_lock<std::mutex> lock(render_mu_, std::defer_lock);
  if (force) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return;  // someone else is rendering
  }
  if (finished_) return;
  // Re-check under the lock: another thread may have rendered meanwhile.
  last = last_render_micros_.load(std::memory_order_relaxed);
  if (!force && now - last < interval) return;
  last_render_micros_.store(now, std::memory_order_relaxed);
  std::string line = Line();
  if (options_.tty) {
    std::string text = "\r" + line + "\x1b[K";
    if (force) text += "\n";
    sink_(text);
  } else {
    sink_(line);
  }
  if (force) finished_ = true;
}

}  // namespace jikji::ops
