// ASCII case for protocol text (HTTP header names, robots.txt user agents
// and directives, topic terms): only 'A'..'Z' change; every other byte,
// UTF-8 included, stays as it is, whatever the locale.
//
// Thread safety: pure functions.
#ifndef JIKJI_COMMON_ASCII_H_
#define JIKJI_COMMON_ASCII_H_

#include <string>
#include <string_view>

namespace jikji {

constexpr char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

inline bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace jikji

#endif  // JIKJI_COMMON_ASCII_H_
