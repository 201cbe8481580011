#include "parser/internal/text.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

#ifdef __SSE2__
// 0xFF in each byte of `v` that is ASCII white space (0x09..0x0D, 0x20).
__m128i AsciiSpaceMask(__m128i v) {
  return _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                      _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x08)),
                                    _mm_cmplt_epi8(v, _mm_set1_epi8(0x0E))));
}
#endif

// The first index from `i` on whose byte MayStartSpace(), else in.size().
size_t SkipToMaybeSpace(std::string_view in, size_t i) {
  const char* p = in.data();
  const size_t n = in.size();
#ifdef __SSE2__
  // Sixteen bytes at a time (SSE2, part of x86-64).
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    auto eq = [&v](unsigned char c) {
      return _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(c)));
    };
    const __m128i hit = _mm_or_si128(_mm_or_si128(AsciiSpaceMask(v), eq(0xC2)),
                                     _mm_or_si128(_mm_or_si128(eq(0xE2), eq(0xE3)), eq(0xEF)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  while (i < n && !MayStartSpace(static_cast<unsigned char>(p[i]))) ++i;
  return i;
}

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

#ifdef __SSE2__
namespace {

// Skips the whole, valid characters of the plain kinds (ASCII, C2..DF + one
// continuation byte, E1..EF + two, ED's first one below A0) from p[i] on (a
// character boundary), sixteen bytes at a time (SSE2, part of x86-64); stops
// at the first block holding anything else, which the caller then reads
// character by character. Returns the index it got to, always at a
// character boundary.
size_t SkipPlainValidUtf8(const uint8_t* p, size_t n, size_t i) {
  while (i + 16 <= n) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const uint32_t high = static_cast<uint32_t>(_mm_movemask_epi8(v));
    if (high == 0) {
      i += 16;
      continue;
    }
    // As signed bytes: continuation 0x80..0xBF = -128..-65 (0x80..0x9F:
    // below -96), two-byte leads 0xC2..0xDF = -62..-33, three-byte leads
    // 0xE1..0xEF = -31..-17.
    auto between = [&v](int lo, int hi) {  // lo <= byte <= hi; -128 < lo, hi < 127
      return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                           _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
    };
    const uint32_t cont =
        static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(-64))));
    const uint32_t lead2 = static_cast<uint32_t>(_mm_movemask_epi8(between(-62, -33)));
    const uint32_t lead3 = static_cast<uint32_t>(_mm_movemask_epi8(between(-31, -17)));
    // ED (U+D000..U+DFFF) only before 80..9F: above are the surrogates.
    const uint32_t ed = static_cast<uint32_t>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xED)))));
    const uint32_t low_cont =
        static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(-96))));
    // A lead in the last two bytes whose character runs past the block is
    // left for the next one: the block is checked up to `upto`.
    const uint32_t spill = (((lead2 | lead3) << 1) | (lead3 << 2)) >> 16;
    uint32_t upto = 16;
    if (spill != 0) upto = (lead3 & 0x4000) ? 14 : 15;
    const uint32_t in_block = (1u << upto) - 1;
    // The continuation bytes the leads before `upto` call for, at bit k for
    // byte k: they must be exactly the continuation bytes there, and none
    // may fall at `upto` or after.
    const uint32_t expected = (((lead2 | lead3) & in_block) << 1) | ((lead3 & in_block) << 2);
    const uint32_t other = high & ~(cont | lead2 | lead3);
    if ((expected & ~in_block) != 0 || (((cont ^ expected) | other) & in_block) != 0) return i;
    if ((((ed & in_block) << 1) & ~low_cont) != 0) return i;
    i += upto;
  }
  return i;
}

}  // namespace
#endif

bool IsValidUtf8Prefix(std::string_view s, bool truncated) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t n = static_cast<int32_t>(s.size());
  int32_t i = 0;
  auto continuation = [&](int32_t k) { return (p[k] & 0xC0) == 0x80; };
#ifdef __SSE2__
  // Blocks of plain characters at a time; the first block that is not gets
  // its characters read one at a time below, then blocks again.
  int32_t next_block = 0;  // where the block scan is tried next
#endif
  while (i < n) {
#ifdef __SSE2__
    if (i >= next_block) {
      const auto at = static_cast<int32_t>(
          SkipPlainValidUtf8(p, static_cast<size_t>(n), static_cast<size_t>(i)));
      // Stopped at a block it could not vouch for: read 16 bytes' worth of
      // characters one at a time before trying blocks again.
      next_block = at + 16;
      i = at;
      if (i >= n) break;
    }
#endif
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
    size_t j = SkipToMaybeSpace(in, i + 1);
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

#ifdef __SSE2__
namespace {

// Sixteen bytes at a time (SSE2, part of x86-64): `mask(v)` is 0xFF in each
// byte to count. Per-byte counters are summed every 255 blocks, before they
// can wrap. Returns the count over the whole blocks; *p and *left move past
// them.
template <typename Mask>
size_t CountBlocks(const char** p, size_t* left, Mask mask) {
  size_t n = 0;
  const __m128i zero = _mm_setzero_si128();
  while (*left >= 16) {
    const size_t blocks = std::min<size_t>(*left / 16, 255);
    __m128i counts = zero;
    for (size_t k = 0; k < blocks; ++k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(*p + 16 * k));
      counts = _mm_sub_epi8(counts, mask(v));
    }
    const __m128i sums = _mm_sad_epu8(counts, zero);
    n += static_cast<size_t>(_mm_cvtsi128_si32(sums)) +
         static_cast<size_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(sums, sums)));
    *p += 16 * blocks;
    *left -= 16 * blocks;
  }
  return n;
}

}  // namespace
#endif

size_t CountChars(std::string_view utf8) {
  const char* p = utf8.data();
  size_t left = utf8.size();
  size_t n = 0;
#ifdef __SSE2__
  // A byte starts a code point unless it is 10xxxxxx, i.e. as a signed byte
  // it is above -65 (0xBF); ASCII white space is 0x09..0x0D and 0x20.
  n += CountBlocks(&p, &left, [](__m128i v) {
    const __m128i starts = _mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(0xBF)));
    return _mm_andnot_si128(AsciiSpaceMask(v), starts);
  });
#endif
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
  const char* p = s.data();
  size_t left = s.size();
  size_t n = 0;
#ifdef __SSE2__
  n += CountBlocks(&p, &left, [a, b](__m128i v) {
    return _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(a)), _mm_cmpeq_epi8(v, _mm_set1_epi8(b)));
  });
#endif
  // Eight bytes at a time: bit 7 of each byte of Equal(w, c) is set exactly
  // where that byte of w is c.
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  auto equal = [](uint64_t w, char c) {
    const uint64_t v = w ^ (kOnes * static_cast<unsigned char>(c));
    return ~(((v & kLow7) + kLow7) | v | kLow7);
  };
  for (; left >= 8; p += 8, left -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    n += CountHighBits(equal(w, a) | equal(w, b));  // (std::popcount is a libgcc call on x86-64)
  }
  for (; left > 0; ++p, --left) n += (*p == a || *p == b) ? 1 : 0;
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
