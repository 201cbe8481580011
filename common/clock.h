// Clock: the one way Jikji reads time, so tests can run on a ManualClock.
//
// Thread safety: SystemClock is stateless; ManualClock is safe for
// concurrent use (an atomic).
#ifndef JIKJI_COMMON_CLOCK_H_
#define JIKJI_COMMON_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jikji {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the Unix epoch (UTC).
  virtual int64_t NowMicros() const = 0;
  // Monotonic time for intervals; origin unspecified.
  virtual int64_t MonotonicMicros() const = 0;

  // A process-wide SystemClock. Never deleted.
  static Clock* Default();
};

class SystemClock : public Clock {
 public:
  int64_t NowMicros() const override;
  int64_t MonotonicMicros() const override;
};

// A clock that moves only when told to. Both readings move together.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_micros = 1'700'000'000'000'000) : now_(start_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  int64_t MonotonicMicros() const override { return now_.load(); }
  void Advance(int64_t micros) { now_.fetch_add(micros); }
  void Set(int64_t micros) { now_.store(micros); }

 private:
  std::atomic<int64_t> now_;
};

// Formats micros since the epoch as RFC 3339 / ISO 8601 in UTC with 'Z',
// e.g. "2025-02-06T06:15:00Z".
std::string FormatIsoUtc(int64_t micros);

// Parses a duration such as "90s", "15m", "2h", "1d", "500ms" or a bare
// number of seconds. Returns false on malformed input.
bool ParseDurationMillis(const std::string& text, int64_t* millis);

// Parses an HTTP-date (RFC 9110 5.6.7): IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT") or the obsolete RFC 850
// ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994")
// forms, always UTC. Returns seconds since the epoch, or nullopt when the
// text is not such a date.
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace jikji

#endif  // JIKJI_COMMON_CLOCK_H_
