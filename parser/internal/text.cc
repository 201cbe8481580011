#include "parser/internal/text.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utf8.h>

#include <array>
#include <cstring>

namespace jikji::parser::text {

namespace {

bool IsAsciiSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// True for the bytes that can start a white-space sequence of SpaceLength
// (a table: AppendCollapsed asks it of every byte).
constexpr std::array<bool, 256> kMayStartSpace = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {' ', '\t', '\n', '\r', '\f', '\v'}) t[c] = true;
  t[0xC2] = t[0xE2] = t[0xE3] = t[0xEF] = true;
  return t;
}();
bool MayStartSpace(unsigned char c) { return kMayStartSpace[c]; }

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// Bit 7 of each byte of the result: that byte of `w` is below `n` (n <= 0x80).
uint64_t BytesBelow(uint64_t w, uint8_t n) {
  return ~(((w & ~kHighBits) | kHighBits) - n * kOnes) & ~w & kHighBits;
}

// The number of bytes of `m` with bit 7 set (m has no other bits).
size_t CountHighBits(uint64_t m) { return static_cast<size_t>(((m >> 7) * kOnes) >> 56); }

// Length of a white-space sequence starting at s[i] (0 when none); sets
// *drop for characters that vanish instead of becoming a space.
size_t SpaceLength(std::string_view s, size_t i, bool* drop) {
  *drop = false;
  unsigned char c = s[i];
  if (c < 0x80) return IsAsciiSpace(c) ? 1 : 0;
  size_t left = s.size() - i;
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (c == 0xC2 && left >= 2 && b(1) == 0xA0) return 2;  // NBSP
  if (c == 0xE2 && left >= 3) {
    if (b(1) == 0x80 && ((b(2) >= 0x80 && b(2) <= 0x8B) || b(2) == 0xAF)) return 3;
    if (b(1) == 0x81 && b(2) == 0x9F) return 3;
  }
  if (c == 0xE3 && left >= 3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // ideographic
  if (c == 0xEF && left >= 3 && b(1) == 0xBB && b(2) == 0xBF) {          // BOM / ZWNBSP
    *drop = true;
    return 3;
  }
  return 0;
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return IsValidUtf8Prefix(s, false); }

bool IsValidUtf8Prefix(std::string_view s, bool truncated) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t n = static_cast<int32_t>(s.size());
  int32_t i = 0;
  auto continuation = [&](int32_t k) { return (p[k] & 0xC0) == 0x80; };
  while (i < n) {
    const uint8_t c = p[i];
    if (c < 0x80) {
      // ASCII: then 8 bytes at a time while they are ASCII.
      ++i;
      while (i + 8 <= n) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (w & kHighBits) break;
        i += 8;
      }
      continue;
    }
    // The sequences every lead byte but E0, ED and F0..F4 starts are valid
    // with any continuation bytes: U+0080..U+07FF, U+1000..U+CFFF (Hangul,
    // CJK) and U+E000..U+FFFF.
    if (c >= 0xE1 && c <= 0xEF && c != 0xED) {
      if (i + 2 < n && continuation(i + 1) && continuation(i + 2)) {
        i += 3;
        continue;
      }
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (i + 1 < n && continuation(i + 1)) {
        i += 2;
        continue;
      }
    }
    int32_t start = i;
    UChar32 cp;
    U8_NEXT(p, i, n, cp);
    if (cp < 0) {
      // An incomplete sequence that runs into the end of a cut input.
      if (truncated && i == n && n - start < 4) return true;
      return false;
    }
  }
  return true;
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

void AppendCollapsed(std::string_view in, std::string* out, bool* pending_space) {
  size_t i = 0;
  while (i < in.size()) {
    if (MayStartSpace(static_cast<unsigned char>(in[i]))) {
      bool drop = false;
      size_t sp = SpaceLength(in, i, &drop);
      if (sp > 0) {
        if (!drop) *pending_space = true;
        i += sp;
        continue;
      }
    }
    // A run of characters none of which can start white space (continuation
    // bytes never do): appended at once.
    size_t j = i + 1;
    while (j < in.size() && !MayStartSpace(static_cast<unsigned char>(in[j]))) ++j;
    if (*pending_space && !out->empty()) out->push_back(' ');
    *pending_space = false;
    out->append(in.data() + i, j - i);
    i = j;
  }
}

std::string Collapse(std::string_view in) {
  std::string out;
  bool pending = false;
  AppendCollapsed(in, &out, &pending);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

size_t CountChars(std::string_view utf8) {
  const char* p = utf8.data();
  size_t left = utf8.size();
  size_t n = 0;
  // Eight bytes at a time: the bytes that start a code point (not 10xxxxxx:
  // bit 7 clear or bit 6 set) less the ASCII white-space bytes.
  for (; left >= 8; p += 8, left -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    uint64_t starts = (~w | (w << 1)) & kHighBits;
    uint64_t spaces = (BytesBelow(w, 0x0E) & ~BytesBelow(w, 0x09)) | BytesBelow(w ^ (0x20 * kOnes), 1);
    n += CountHighBits(starts) - CountHighBits(spaces);
  }
  for (; left > 0; ++p, --left) {
    unsigned char c = static_cast<unsigned char>(*p);
    if ((c & 0xC0) != 0x80 && !IsAsciiSpace(c)) ++n;
  }
  return n;
}

size_t CountBytes(std::string_view s, char a, char b) {
  // Eight bytes at a time: bit 7 of each byte of Equal(w, c) is set exactly
  // where that byte of w is c.
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  auto equal = [](uint64_t w, char c) {
    const uint64_t v = w ^ (kOnes * static_cast<unsigned char>(c));
    return ~(((v & kLow7) + kLow7) | v | kLow7);
  };
  size_t n = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    n += CountHighBits(equal(w, a) | equal(w, b));  // (std::popcount is a libgcc call on x86-64)
  }
  for (; i < s.size(); ++i) n += (s[i] == a || s[i] == b) ? 1 : 0;
  return n;
}

std::string ToNfc(std::string_view utf8) {
  if (IsAscii(utf8)) return std::string(utf8);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(utf8);
  icu::StringPiece piece(utf8.data(), static_cast<int32_t>(utf8.size()));
  if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return std::string(utf8);
  status = U_ZERO_ERROR;
  std::string out;
  out.reserve(utf8.size());
  icu::StringByteSink<std::string> sink(&out);
  nfc->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) return std::string(utf8);
  return out;
}

char32_t NextCodePoint(std::string_view s, size_t* i) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t n = static_cast<int32_t>(s.size());
  int32_t k = static_cast<int32_t>(*i);
  UChar32 c;
  U8_NEXT(p, k, n, c);
  *i = static_cast<size_t>(k);
  return c < 0 ? 0xFFFD : static_cast<char32_t>(c);
}

char* WriteUtf8(char32_t cp, char* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    *out++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out++ = static_cast<char>(0xC0 | (cp >> 6));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (cp >> 12));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (cp >> 18));
    *out++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

void AppendUtf8(char32_t cp, std::string* out) {
  char buf[kMaxUtf8Bytes];
  out->append(buf, WriteUtf8(cp, buf) - buf);
}

bool ContainsNoCase(std::string_view haystack, std::string_view lower_needle) {
  if (lower_needle.empty()) return true;
  if (haystack.size() < lower_needle.size()) return false;
  for (size_t i = 0; i + lower_needle.size() <= haystack.size(); ++i) {
    size_t k = 0;
    for (; k < lower_needle.size(); ++k) {
      char c = haystack[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != lower_needle[k]) break;
    }
    if (k == lower_needle.size()) return true;
  }
  return false;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace jikji::parser::text
