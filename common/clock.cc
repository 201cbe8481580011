#include "common/clock.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace jikji {

int64_t SystemClock::NowMicros() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SystemClock::MonotonicMicros() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

Clock* Clock::Default() {
  static SystemClock* clock = new SystemClock();
  return clock;
}

std::string FormatIsoUtc(int64_t micros) {
  time_t secs = static_cast<time_t>(micros / 1'000'000);
  if (micros < 0 && micros % 1'000'000 != 0) --secs;
  struct tm tm_utc;
  gmtime_r(&secs, &tm_utc);
  char buf[80];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm_utc.tm_year + 1900,
                tm_utc.tm_mon + 1, tm_utc.tm_mday, tm_utc.tm_hour, tm_utc.tm_min, tm_utc.tm_sec);
  return buf;
}

bool ParseDurationMillis(const std::string& text, int64_t* millis) {
  if (text.empty()) return false;
  size_t i = 0;
  double value = 0;
  bool any_digit = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    value = value * 10 + (text[i] - '0');
    any_digit = true;
    ++i;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    double scale = 0.1;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value += (text[i] - '0') * scale;
      scale /= 10;
      any_digit = true;
      ++i;
    }
  }
  if (!any_digit) return false;
  std::string unit = text.substr(i);
  double factor;
  if (unit.empty() || unit == "s") factor = 1000;
  else if (unit == "ms") factor = 1;
  else if (unit == "m") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else if (unit == "d") factor = 86'400'000;
  else return false;
  *millis = static_cast<int64_t>(value * factor);
  return true;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  constexpr size_t kMaxLength = 64;
  if (text.size() > kMaxLength) return std::nullopt;
  int day = -1, month = -1, year = -1, hour = -1, minute = -1, second = -1;
  size_t pos = 0;
  while (pos < text.size()) {
    // Tokens are separated by spaces, commas and (RFC 850) dashes.
    auto is_sep = [](char c) { return c == ' ' || c == ',' || c == '-' || c == '\t'; };
    while (pos < text.size() && is_sep(text[pos])) ++pos;
    size_t end = pos;
    while (end < text.size() && !is_sep(text[end])) ++end;
    std::string_view tok = text.substr(pos, end - pos);
    pos = end;
    if (tok.empty()) continue;
    auto all_digits = [](std::string_view t) {
      return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    auto number = [](std::string_view t) {
      int v = 0;
      for (char c : t) v = v * 10 + (c - '0');
      return v;
    };
    if (tok.find(':') != std::string_view::npos) {
      if (tok.size() != 8 || tok[2] != ':' || tok[5] != ':' || !all_digits(tok.substr(0, 2)) ||
          !all_digits(tok.substr(3, 2)) || !all_digits(tok.substr(6, 2)) || hour >= 0) {
        return std::nullopt;
      }
      hour = number(tok.substr(0, 2));
      minute = number(tok.substr(3, 2));
      second = number(tok.substr(6, 2));
    } else if (all_digits(tok)) {
      if (day < 0 && tok.size() <= 2) {
        day = number(tok);
      } else if (year < 0 && (tok.size() == 2 || tok.size() == 4)) {
        year = number(tok);
        // RFC 9110: a two-digit year more than 50 years ahead is in the past.
        if (tok.size() == 2) year += year < 70 ? 2000 : 1900;
      } else {
        return std::nullopt;
      }
    } else if (tok.size() == 3) {
      std::string lower;
      for (char c : tok) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      bool is_month = false;
      for (int m = 0; m < 12; ++m) {
        if (lower == kMonths[m]) {
          if (month >= 0) return std::nullopt;
          month = m;
          is_month = true;
        }
      }
      // Otherwise a day name ("Sun") or the zone; only GMT/UTC are valid.
      if (!is_month && lower != "gmt" && lower != "utc" && lower != "sun" && lower != "mon" &&
          lower != "tue" && lower != "wed" && lower != "thu" && lower != "fri" && lower != "sat") {
        return std::nullopt;
      }
    } else if (!std::all_of(tok.begin(), tok.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
      return std::nullopt;  // day names in full ("Sunday") pass
    }
  }
  if (day < 1 || day > 31 || month < 0 || year < 1970 || year > 9999 || hour < 0 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  struct tm tm_utc {};
  tm_utc.tm_year = year - 1900;
  tm_utc.tm_mon = month;
  tm_utc.tm_mday = day;
  tm_utc.tm_hour = hour;
  tm_utc.tm_min = minute;
  tm_utc.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm_utc));
}

}  // namespace jikji
