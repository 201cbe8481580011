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
      last_render_micros_(start_micros_),
      window_micros_(start_micros_) {}

std::optional<ProgressOptions> ResolveProgressOptions(std::string label, ProgressMode mode) {
  if (mode == ProgressMode::kOff) return std::nullopt;
  ProgressOptions o = Progress::DetectOptions(std::move(label));
  if (mode == ProgressMode::kAuto && !o.tty) return std::nullopt;
  return o;
}

ProgressOptions Progress::DetectOptions(std::string label) {
  ProgressOptions o;
  o.label = std::move(label);
  o.tty = ::isatty(STDERR_FILENO) == 1;
  return o;
}

namespace {
std::atomic<bool> g_terminal_line_open{false};
}  // namespace

bool TerminalProgressLineOpen() { return g_terminal_line_open.load(std::memory_order_relaxed); }

Progress::Sink Progress::DefaultSink(bool tty) {
  if (tty) {
    return [](std::string_view text) {
      std::fwrite(text.data(), 1, text.size(), stderr);
      std::fflush(stderr);
      g_terminal_line_open.store(!text.ends_with('\n'), std::memory_order_relaxed);
    };
  }
  return [](std::string_view text) { spdlog::info("{}", text); };
}

void Progress::SetTotal(int64_t total) { total_.store(total, std::memory_order_relaxed); }

void Progress::Add(int64_t done, int64_t errors) {
  if (done != 0) done_.fetch_add(done, std::memory_order_relaxed);
  if (errors != 0) errors_.fetch_add(errors, std::memory_order_relaxed);
  MaybeRender(Render::kIfDue);
}

void Progress::Set(int64_t done, int64_t errors) {
  done_.store(done, std::memory_order_relaxed);
  errors_.store(errors, std::memory_order_relaxed);
  MaybeRender(Render::kIfDue);
}

void Progress::SetDetail(std::string detail) {
  std::lock_guard<std::mutex> lock(detail_mu_);
  detail_ = std::move(detail);
}

void Progress::RenderNow() { MaybeRender(Render::kNow); }

void Progress::Finish() { MaybeRender(Render::kFinal); }

std::string Progress::Line() const {
  const int64_t done = done_.load(std::memory_order_relaxed);
  const int64_t errors = errors_.load(std::memory_order_relaxed);
  const int64_t total = total_.load(std::memory_order_relaxed);
  const int64_t now = clock_->MonotonicMicros();
  int64_t elapsed = now - start_micros_;
  int64_t counted = done;
  if (options_.recent_rate) {
    elapsed = now - window_micros_.load(std::memory_order_relaxed);
    counted = done - window_done_.load(std::memory_order_relaxed);
  }
  const double rate =
      elapsed > 0 && counted > 0 ? static_cast<double>(counted) * 1e6 / static_cast<double>(elapsed) : 0.0;
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
  std::lock_guard<std::mutex> lock(detail_mu_);
  if (!detail_.empty()) line += ", " + detail_;
  return line;
}

void Progress::MaybeRender(Render how) {
  const bool force = how != Render::kIfDue;
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
  window_micros_.store(now, std::memory_order_relaxed);
  window_done_.store(done_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  if (options_.tty) {
    std::string text = "\r" + line + "\x1b[K";
    if (how == Render::kFinal) text += "\n";
    sink_(text);
  } else {
    sink_(line);
  }
  if (how == Render::kFinal) finished_ = true;
}

}  // namespace jikji::ops
