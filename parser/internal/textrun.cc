#include "parser/internal/textrun.h"

#include <algorithm>
#include <array>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <unicode/utf8.h>
#include <xxhash.h>

#include "parser/internal/arena.h"
#include "parser/internal/text.h"

namespace jikji::parser::internal {
namespace {

// Named references decoded here (with their ';'): the ones news pages use.
// tests/parser/textrun_test.cc checks each against Gumbo's own decoding.
struct Entity {
  std::string_view name;
  uint32_t code_point;
};
constexpr Entity kEntities[] = {
    {"quot", 0x22},    {"amp", 0x26},     {"apos", 0x27},    {"lt", 0x3C},
    {"gt", 0x3E},      {"nbsp", 0xA0},    {"iexcl", 0xA1},   {"cent", 0xA2},
    {"pound", 0xA3},   {"yen", 0xA5},     {"sect", 0xA7},    {"copy", 0xA9},
    {"laquo", 0xAB},   {"shy", 0xAD},     {"reg", 0xAE},     {"deg", 0xB0},
    {"plusmn", 0xB1},  {"sup2", 0xB2},    {"sup3", 0xB3},    {"micro", 0xB5},
    {"para", 0xB6},    {"middot", 0xB7},  {"raquo", 0xBB},   {"frac14", 0xBC},
    {"frac12", 0xBD},  {"frac34", 0xBE},  {"iquest", 0xBF},  {"times", 0xD7},
    {"divide", 0xF7},  {"ensp", 0x2002},  {"emsp", 0x2003},  {"thinsp", 0x2009},
    {"zwnj", 0x200C},  {"zwj", 0x200D},   {"lrm", 0x200E},   {"rlm", 0x200F},
    {"ndash", 0x2013}, {"mdash", 0x2014}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
    {"sbquo", 0x201A}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bdquo", 0x201E},
    {"dagger", 0x2020}, {"Dagger", 0x2021}, {"bull", 0x2022}, {"hellip", 0x2026},
    {"permil", 0x2030}, {"prime", 0x2032}, {"Prime", 0x2033}, {"lsaquo", 0x2039},
    {"rsaquo", 0x203A}, {"euro", 0x20AC}, {"trade", 0x2122}, {"larr", 0x2190},
    {"uarr", 0x2191},  {"rarr", 0x2192},  {"darr", 0x2193},  {"harr", 0x2194},
    {"hearts", 0x2665},
};
constexpr size_t kMaxEntityName = 6;
// Digits of a numeric reference read at most (more: the run stays).
constexpr size_t kMaxRefDigits = 8;

constexpr uint32_t kPlaceholderBase = 0xF0000;

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool IsAlpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

int HexValue(unsigned char c) {
  if (IsDigit(c)) return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Code points Gumbo passes through unchanged and parses as a character
// (not whitespace): no controls, C1, surrogates, noncharacters, and none of
// the placeholders' plane.
bool IsPlainCodePoint(uint32_t cp) {
  if (cp < 0x80) return cp > 0x20 && cp < 0x7F;
  if (cp < 0xA0) return false;
  if (cp >= 0xD800 && cp <= 0xDFFF) return false;
  if (cp >= 0xFDD0 && cp <= 0xFDEF) return false;
  if ((cp & 0xFFFE) == 0xFFFE) return false;
  if (cp >= kPlaceholderBase && cp <= 0xFFFFF) return false;
  return cp <= 0x10FFFF;
}

// Decodes the character reference at s[0] == '&' into `out`; returns the
// bytes it spans, or 0 if Gumbo might read it otherwise.
size_t DecodeReference(std::string_view s, std::string* out) {
  if (s.size() == 1 || s[1] == ' ' || s[1] == '\t' || s[1] == '\n' || s[1] == '\f' || s[1] == '&') {
    out->push_back('&');  // not a reference: a literal '&'
    return 1;
  }
  if (s[1] == '#') {
    size_t i = 2;
    bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    size_t first = i;
    uint32_t cp = 0;
    while (i < s.size() && i - first < kMaxRefDigits) {
      int v = hex ? HexValue(static_cast<unsigned char>(s[i])) : (IsDigit(s[i]) ? s[i] - '0' : -1);
      if (v < 0) break;
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
      ++i;
    }
    if (i == first || i >= s.size() || s[i] != ';' || !IsPlainCodePoint(cp)) return 0;
    text::AppendUtf8(cp, out);
    return i + 1;
  }
  size_t i = 1;
  while (i < s.size() && i <= kMaxEntityName && (IsAlpha(s[i]) || IsDigit(s[i]))) ++i;
  if (i >= s.size() || s[i] != ';') return 0;
  std::string_view name = s.substr(1, i - 1);
  for (const Entity& e : kEntities) {
    if (e.name == name) {
      text::AppendUtf8(e.code_point, out);
      return i + 1;
    }
  }
  return 0;
}

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// ASCII bytes that go through as they are: printable ones but '&', '<' and
// DEL, and the spaces other than CR.
constexpr std::array<bool, 128> kPlainAscii = [] {
  std::array<bool, 128> t{};
  for (int c = 0x20; c < 0x7F; ++c) t[c] = c != '&' && c != '<';
  t['\t'] = t['\n'] = t['\f'] = true;
  return t;
}();

// True if the eight bytes of `w` are all in 0x20..0x7E and none is '&' or
// '<' (SWAR: a byte's high bit marks it in each test).
bool IsPlainAsciiWord(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  uint64_t bad = w & kHigh;                          // >= 0x80
  bad |= (w - kOnes * 0x20) & ~w & kHigh;            // < 0x20
  bad |= zero_byte(w ^ (kOnes * '&'));
  bad |= zero_byte(w ^ (kOnes * '<'));
  bad |= zero_byte(w ^ (kOnes * 0x7F));
  return bad == 0;
}

// In well-formed UTF-8, the bytes that start something Decode() must look
// at: ASCII controls, '&', '<', DEL, and the lead bytes of the sequences
// that may be C1 controls (C2), noncharacters (EF) or outside the BMP
// (F0..F4). Every other lead byte starts a plain character there, and
// continuation bytes only follow them.
#ifdef __SSE2__
// The first index from `i` on with such a byte, else the start of the
// character the last whole 16-byte block ended in (so the caller reads the
// tail byte by byte from a character boundary); sixteen bytes at a time
// (SSE2, part of x86-64). `i` must be at a character boundary.
size_t SkipPlainUtf8(const unsigned char* p, size_t n, size_t i) {
  const size_t from = i;
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    auto eq = [&v](unsigned char c) {
      return _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(c)));
    };
    const __m128i control =
        _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
    const __m128i astral =
        _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(static_cast<char>(0xF0))), v);
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_or_si128(control, astral), _mm_or_si128(eq('&'), eq('<'))),
                     _mm_or_si128(_mm_or_si128(eq(0x7F), eq(0xC2)), eq(0xEF)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
  while (i > from && i < n && IsContinuation(p[i])) --i;
  return i;
}
#endif

// Appends the decoded `s` (a run's interior) to `out`; false if some byte
// or reference in it rules the run out. `valid_utf8`: s is well-formed
// UTF-8, so only the bytes SkipPlainUtf8() stops at need a look.
bool Decode(std::string_view s, bool valid_utf8, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t copied = 0;  // s[0..copied) is in `out`
  size_t i = 0;
  while (i < n) {
#ifdef __SSE2__
    if (valid_utf8) {
      i = SkipPlainUtf8(p, n, i);
      if (i == n) break;
    }
#else
    (void)valid_utf8;
#endif
    unsigned char c = p[i];
    if (c < 0x80) {
      if (kPlainAscii[c]) {
        // Then eight printable ASCII bytes, none '&', '<' or DEL, at a time
        // (tried after an ASCII byte only: in Hangul text the next eight
        // bytes after a syllable are rarely all ASCII).
        ++i;
        while (i + 8 <= n) {
          uint64_t w;
          std::memcpy(&w, p + i, 8);
          if (!IsPlainAsciiWord(w)) break;
          i += 8;
        }
        continue;
      }
      if (c != '&') return false;
      out->append(s.data() + copied, i - copied);
      size_t used = DecodeReference(s.substr(i), out);
      if (used == 0) return false;
      i += used;
      copied = i;
      continue;
    }
    // Fast paths for the sequences that are always plain: U+00C0..U+07FF,
    // U+1000..U+CFFF and U+E000..U+EFFF (three bytes: Hangul, CJK), and
    // U+D000..U+D7FF.
    if (c >= 0xC3 && c <= 0xDF) {
      if (i + 1 >= n || !IsContinuation(p[i + 1])) return false;
      i += 2;
      continue;
    }
    if ((c >= 0xE1 && c <= 0xEE)) {
      if (i + 2 >= n || !IsContinuation(p[i + 1]) || !IsContinuation(p[i + 2])) return false;
      if (c == 0xED && p[i + 1] > 0x9F) return false;  // surrogates
      i += 3;
      continue;
    }
    // Other sequences: ICU decodes them as strictly as Gumbo's decoder
    // (no overlongs, surrogates or values past U+10FFFF).
    int32_t k = static_cast<int32_t>(i);
    UChar32 cp;
    U8_NEXT(p, k, static_cast<int32_t>(n), cp);
    if (cp < 0 || !IsPlainCodePoint(static_cast<uint32_t>(cp))) return false;
    i = static_cast<size_t>(k);
  }
  out->append(s.data() + copied, n - copied);
  return true;
}

void AppendPlaceholder(size_t index, std::string* out) {
  text::AppendUtf8(kPlaceholderBase + static_cast<uint32_t>(index), out);
}

}  // namespace

void TextRuns::clear(bool valid_utf8) {
  text_.clear();
  ends_.clear();
  in_attribute_.clear();
  values_.clear();
  attribute_values_ = 0;
  valid_utf8_ = valid_utf8;
}

bool TextRuns::Add(std::string_view raw, size_t a, size_t b, bool attribute) {
  if (b - a < kMinRunBytes || ends_.size() >= kMaxTextRuns) return false;
  size_t mark = text_.size();
  if (!Decode(raw.substr(a, b - a), valid_utf8_, &text_)) {
    text_.resize(mark);
    return false;
  }
  ends_.push_back(static_cast<uint32_t>(text_.size()));
  text_.push_back('\0');
  in_attribute_.push_back(attribute ? 1 : 0);
  return true;
}

bool TextRuns::Append(std::string_view run, std::string* out) {
  size_t a = 0;
  size_t b = run.size();
  while (a < b && IsSpace(static_cast<unsigned char>(run[a]))) ++a;
  while (b > a && IsSpace(static_cast<unsigned char>(run[b - 1]))) --b;
  if (a == b) {  // only whitespace: its first kKeptSpaceChars (CRLF is one)
    size_t k = 0;
    for (size_t chars = 0; chars < kKeptSpaceChars && k < run.size(); ++chars) {
      k += run[k] == '\r' && k + 1 < run.size() && run[k + 1] == '\n' ? 2 : 1;
    }
    out->append(run.data(), k);
    return false;
  }
  if (!Add(run, a, b, false)) {
    out->append(run);
    return false;
  }
  out->append(run.data(), a);
  AppendPlaceholder(ends_.size() - 1, out);
  out->append(run.data() + b, run.size() - b);
  return true;
}

size_t TextRuns::FindSlot(std::string_view decoded) const {
  const size_t mask = values_.size() - 1;
  size_t at = XXH3_64bits(decoded.data(), decoded.size()) & mask;
  while (values_[at] != 0 && (*this)[values_[at] - 1] != decoded) at = (at + 1) & mask;
  return at;
}

bool TextRuns::AppendAttributeValue(std::string_view value, std::string* out) {
  if (!Add(value, 0, value.size(), true)) {
    out->append(value);
    return false;
  }
  if (2 * (attribute_values_ + 1) > values_.size()) {  // grow and rehash
    std::vector<uint32_t> old = std::move(values_);
    values_.assign(std::max<size_t>(64, old.size() * 2), 0);
    for (uint32_t slot : old) {
      if (slot != 0) values_[FindSlot((*this)[slot - 1])] = slot;
    }
  }
  size_t index = ends_.size() - 1;
  std::string_view decoded = (*this)[index];
  const size_t at = FindSlot(decoded);
  if (values_[at] != 0) {  // an equal value has a placeholder: use it
    text_.resize(text_.size() - decoded.size() - 1);  // and its NUL
    ends_.pop_back();
    in_attribute_.pop_back();
    AppendPlaceholder(values_[at] - 1, out);
    return true;
  }
  values_[at] = static_cast<uint32_t>(index + 1);
  ++attribute_values_;
  AppendPlaceholder(index, out);
  return true;
}

std::vector<std::string_view> DecodedEntityNames() {
  std::vector<std::string_view> names;
  for (const Entity& e : kEntities) names.push_back(e.name);
  return names;
}

bool HasPlaceholderPlane(std::string_view html) {
  for (size_t at = html.find('\xF3'); at != std::string_view::npos; at = html.find('\xF3', at + 1)) {
    if (at + 1 < html.size() && static_cast<unsigned char>(html[at + 1]) >= 0xB0) return true;
  }
  return false;
}

namespace {

// Expands the placeholders in one text node or attribute value.
class Expander {
 public:
  Expander(const TextRuns& runs, Arena* arena) : runs_(runs), arena_(arena), seen_(runs.size(), 0) {}

  // Sets *text to an expanded copy if it holds placeholders; false if one
  // is unknown, of the other kind, or (in text) seen before.
  bool Expand(const char** text, bool attribute) {
    std::string_view t = *text;
    // Gumbo's text is valid UTF-8, so 0xF3 is always a lead byte.
    size_t at = t.find('\xF3');
    if (at == std::string_view::npos) return true;
    if (t.size() == 4 && at == 0 && static_cast<unsigned char>(t[1]) >= 0xB0) {
      // One placeholder alone: the run's own NUL-terminated text.
      const size_t index = Index(t);
      if (!Claim(index, attribute)) return false;
      *text = runs_[index].data();
      return true;
    }
    buf_.clear();
    size_t copied = 0;
    for (; at != std::string_view::npos; at = t.find('\xF3', at + 1)) {
      auto b1 = static_cast<unsigned char>(t[at + 1]);
      if (b1 < 0xB0) continue;  // U+C0000..U+EFFFF: not ours
      const size_t index = Index(t.substr(at, 4));
      if (!Claim(index, attribute)) return false;
      buf_.append(t.data() + copied, at - copied);
      buf_.append(runs_[index]);
      copied = at + 4;
    }
    if (copied == 0) return true;
    buf_.append(t.data() + copied, t.size() - copied);
    auto* out = static_cast<char*>(arena_->Allocate(buf_.size() + 1));
    std::memcpy(out, buf_.data(), buf_.size());
    out[buf_.size()] = '\0';
    *text = out;
    return true;
  }

  bool all_found() const { return found_ == runs_.size(); }

 private:
  // The index of the placeholder p[0..4) (U+F0000 + index).
  static size_t Index(std::string_view p) {
    return ((static_cast<unsigned char>(p[1]) & 0x0Fu) << 12) |
           ((static_cast<unsigned char>(p[2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(p[3]) & 0x3Fu);
  }
  // Records placeholder `index` as met; false if it is unknown, of the
  // other kind, or a text one met before.
  bool Claim(size_t index, bool attribute) {
    if (index >= runs_.size() || runs_.in_attribute(index) != attribute) return false;
    if (seen_[index] && !attribute) return false;
    if (!seen_[index]) ++found_;
    seen_[index] = 1;
    return true;
  }

  const TextRuns& runs_;
  Arena* arena_;
  std::vector<uint8_t> seen_;
  size_t found_ = 0;
  std::string buf_;
};

bool Quoted(const GumboStringPiece& original_value) {
  return original_value.length >= 2 && (original_value.data[0] == '"' || original_value.data[0] == '\'');
}

}  // namespace

bool ExpandTextRuns(GumboNode* root, const TextRuns& runs, Arena* arena) {
  Expander expander(runs, arena);
  std::vector<GumboNode*> stack{root};
  while (!stack.empty()) {
    GumboNode* n = stack.back();
    stack.pop_back();
    switch (n->type) {
      case GUMBO_NODE_DOCUMENT: {
        const GumboVector& ch = n->v.document.children;
        for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<GumboNode*>(ch.data[i]));
        break;
      }
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        const GumboVector& attrs = n->v.element.attributes;
        for (unsigned i = 0; i < attrs.length; ++i) {
          auto* a = static_cast<GumboAttribute*>(attrs.data[i]);
          const char* before = a->value;
          if (!expander.Expand(&a->value, true)) return false;
          // Gumbo read it as a quoted value, as the prefilter did.
          if (a->value != before && !Quoted(a->original_value)) return false;
        }
        const GumboVector& ch = n->v.element.children;
        for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<GumboNode*>(ch.data[i]));
        break;
      }
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
        if (!expander.Expand(&n->v.text.text, false)) return false;
        break;
      default:  // whitespace has no placeholder; one in a comment is missed
        break;
    }
  }
  return expander.all_found();
}

}  // namespace jikji::parser::internal
