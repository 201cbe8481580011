#include "cli/archive_util.h"

#include <filesystem>

namespace jikji::cli {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

Result<std::unique_ptr<storage::Archive>> OpenExistingArchive(const std::string& dir,
                                                              bool read_only) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
    return Status::NotFound("no archive at " + dir +
                            " (run `jikji crawl` first, or pass --archive DIR)");
  }
  storage::ArchiveOptions options;
  options.create_if_missing = false;
  options.read_only = read_only;
  return storage::Archive::Open(dir, options);
}

bool ParseTimeMicros(std::string_view s, int64_t* micros) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return false;
  }
  size_t pos = 10;
  int64_t frac_micros = 0;
  int64_t offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    if (!Digits(s, pos + 1, 2, &h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &mi)) {
      return false;
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!Digits(s, pos + 1, 2, &sec)) return false;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int64_t scale = 100000;
        for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
          frac_micros += (s[pos] - '0') * scale;
          scale /= 10;
        }
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return false;
  }
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      ++pos;
    } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
      int oh, om;
      if (!Digits(s, pos + 1, 2, &oh) || !Digits(s, pos + 4, 2, &om)) return false;
      offset_minutes = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
      pos += 6;
    } else {
      return false;
    }
  }
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_minutes * 60;
  *micros = secs * 1'000'000 + frac_micros;
  return true;
}

}  // namespace jikji::cli
