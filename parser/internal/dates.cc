#include "parser/internal/dates.h"

#include <cstdio>

namespace jikji::parser::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Cursor {
 public:
  explicit Cursor(std::string_view s, size_t pos) : s_(s), pos_(pos) {}
  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  // Reads 1..max_digits digits.
  bool Number(int max_digits, int* value) {
    int n = 0, v = 0;
    while (n < max_digits && IsDigit(Peek())) {
      v = v * 10 + (s_[pos_] - '0');
      ++pos_;
      ++n;
    }
    if (n == 0) return false;
    *value = v;
    return true;
  }
  bool Literal(std::string_view lit) {
    if (s_.compare(pos_, lit.size(), lit) == 0) {
      pos_ += lit.size();
      return true;
    }
    return false;
  }
  void Spaces() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
    }
    // NBSP
    while (s_.compare(pos_, 2, "\xC2\xA0") == 0) {
      pos_ += 2;
      Spaces();
    }
  }

 private:
  std::string_view s_;
  size_t pos_;
};

// Parses at `start`; fills *m on success.
bool ParseAt(std::string_view s, size_t start, std::string_view default_offset, DateMatch* m) {
  Cursor c(s, start);
  int year, month, day;
  if (!c.Number(4, &year) || c.pos() - start != 4 || year < 1990 || year > 2099) return false;
  bool korean = false;
  char sep = c.Peek();
  if (sep == '-' || sep == '.' || sep == '/') {
    c.set_pos(c.pos() + 1);
  } else {
    c.Spaces();
    if (!c.Literal("년")) return false;
    korean = true;
    c.Spaces();
  }
  if (!c.Number(2, &month) || month < 1 || month > 12) return false;
  if (korean) {
    c.Spaces();
    if (!c.Literal("월")) return false;
    c.Spaces();
  } else if (c.Peek() != sep) {
    return false;
  } else {
    c.set_pos(c.pos() + 1);
  }
  if (!c.Number(2, &day) || day < 1 || day > 31) return false;
  if (IsDigit(c.Peek())) return false;
  if (korean) {
    c.Spaces();
    c.Literal("일");
  } else if (sep == '.') {
    c.Literal(".");
  }
  size_t date_end = c.pos();
  // Optional weekday "(목)" / "(Thu)".
  {
    size_t save = c.pos();
    c.Spaces();
    if (c.Literal("(")) {
      size_t close = s.find(')', c.pos());
      if (close != std::string_view::npos && close - c.pos() <= 9) {
        c.set_pos(close + 1);
      } else {
        c.set_pos(save);
      }
    } else {
      c.set_pos(save);
    }
  }
  // Optional time.
  int hour = -1, minute = 0, second = 0;
  std::string offset;
  {
    size_t save = c.pos();
    if (!c.Literal("T")) c.Spaces();
    bool pm = false, am = false;
    if (c.Literal("오후") || c.Literal("PM") || c.Literal("pm")) pm = true;
    else if (c.Literal("오전") || c.Literal("AM") || c.Literal("am")) am = true;
    c.Spaces();
    int h, mi;
    size_t tstart = c.pos();
    if (c.Number(2, &h)) {
      bool ok = false;
      if (c.Literal(":") && c.Number(2, &mi)) {
        ok = true;
        int sec;
        size_t before_sec = c.pos();
        if (c.Literal(":") && c.Number(2, &sec)) {
          second = sec;
          if (c.Literal(".") || c.Literal(",")) {
            while (IsDigit(c.Peek())) c.set_pos(c.pos() + 1);
          }
        } else {
          c.set_pos(before_sec);
        }
      } else {
        c.set_pos(tstart);
        c.Number(2, &h);
        c.Spaces();
        if (c.Literal("시")) {
          c.Spaces();
          size_t before_min = c.pos();
          if (c.Number(2, &mi) && (c.Spaces(), c.Literal("분"))) {
            ok = true;
          } else {
            c.set_pos(before_min);
            mi = 0;
            ok = true;
          }
        }
      }
      if (ok && h <= 24 && mi <= 59 && second <= 60) {
        if (!pm && !am) {
          size_t before_ampm = c.pos();
          c.Spaces();
          if (c.Literal("PM") || c.Literal("pm")) pm = true;
          else if (c.Literal("AM") || c.Literal("am")) am = true;
          else c.set_pos(before_ampm);
        }
        if (pm && h < 12) h += 12;
        if (am && h == 12) h = 0;
        if (h == 24) h = 0;
        hour = h;
        minute = mi;
        // Offset.
        char o = c.Peek();
        if (o == 'Z') {
          c.set_pos(c.pos() + 1);
          offset = "+00:00";
        } else if (o == '+' || o == '-') {
          size_t before = c.pos();
          c.set_pos(c.pos() + 1);
          int oh, om = 0;
          size_t ds = c.pos();
          if (c.Number(2, &oh) && c.pos() - ds == 2) {
            size_t before_min = c.pos();
            if (!(c.Literal(":") && c.Number(2, &om))) {
              c.set_pos(before_min);
              if (!c.Number(2, &om)) om = 0;
            }
            char buf[16];
            std::snprintf(buf, sizeof buf, "%c%02d:%02d", o, oh % 100, om % 100);
            offset = buf;
          } else {
            c.set_pos(before);
          }
        } else {
          size_t before = c.pos();
          c.Spaces();
          if (c.Literal("KST")) offset = "+09:00";
          else if (c.Literal("GMT") || c.Literal("UTC")) offset = "+00:00";
          else c.set_pos(before);
        }
      } else {
        c.set_pos(save);
      }
    } else {
      c.set_pos(save);
    }
  }
  char buf[64];
  if (hour < 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    m->end = date_end;
    m->has_time = false;
  } else {
    if (offset.empty()) offset = std::string(default_offset);
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%s", year, month, day, hour,
                  minute, second, offset.c_str());
    m->end = c.pos();
    m->has_time = true;
  }
  m->iso = buf;
  m->begin = start;
  return true;
}

}  // namespace

DateMatch FindDate(std::string_view text, std::string_view default_offset) {
  DateMatch m;
  for (size_t i = 0; i + 8 <= text.size(); ++i) {
    if (!IsDigit(text[i])) continue;
    if (i > 0 && IsDigit(text[i - 1])) continue;
    if (ParseAt(text, i, default_offset, &m)) return m;
  }
  return DateMatch{};
}

std::string ParseDate(std::string_view text, std::string_view default_offset) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
  DateMatch m;
  if (ParseAt(text, i, default_offset, &m)) return m.iso;
  return "";
}

}  // namespace jikji::parser::internal
