// Private text helpers of the parser: UTF-8 checks, whitespace collapsing,
// NFC normalization, character counting. Byte-oriented and allocation-light:
// they run over every text node of every page.
//
// Thread safety: free functions; safe from any thread.
#ifndef JIKJI_PARSER_INTERNAL_TEXT_H_
#define JIKJI_PARSER_INTERNAL_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/ascii.h"

namespace jikji::parser::text {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Like IsValidUtf8, but when `truncated` an incomplete sequence at the very
// end is accepted (the bytes were cut from a longer input).
bool IsValidUtf8Prefix(std::string_view s, bool truncated);
bool IsAscii(std::string_view s);

// Appends `in` to `out`, collapsing every run of white space (ASCII, NBSP,
// U+2000..U+200B, U+202F, U+205F, U+3000) into one ' '. A space is only
// written before the next non-space character and never at the start of
// `out`; `*pending_space` carries that state across calls. U+FEFF is dropped.
void AppendCollapsed(std::string_view in, std::string* out, bool* pending_space);
// Collapsed and trimmed copy.
std::string Collapse(std::string_view in);
// ASCII white space trimmed from both ends.
std::string_view Trim(std::string_view s);

// Number of code points that are not ASCII white space.
size_t CountChars(std::string_view utf8);
// Number of bytes of `s` equal to `a` or to `b`.
size_t CountBytes(std::string_view s, char a, char b);

// NFC normalization (ICU Normalizer2); returns the input unchanged when it is
// already normalized (the common case, checked quickly).
std::string ToNfc(std::string_view utf8);

// Decodes the code point at s[*i] and advances *i; invalid bytes give
// U+FFFD and advance by one.
char32_t NextCodePoint(std::string_view s, size_t* i);
// Appends `cp` in UTF-8; a surrogate or a value beyond U+10FFFF appends
// U+FFFD.
void AppendUtf8(char32_t cp, std::string* out);
// The same into `out`, which has room for kMaxUtf8Bytes; returns the end.
inline constexpr size_t kMaxUtf8Bytes = 4;
char* WriteUtf8(char32_t cp, char* out);
inline bool IsHangulSyllable(char32_t c) { return c >= 0xAC00 && c <= 0xD7A3; }

// ASCII lower case: AsciiLower() of common/ascii.h.
bool ContainsNoCase(std::string_view haystack, std::string_view lower_needle);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);

}  // namespace jikji::parser::text

#endif  // JIKJI_PARSER_INTERNAL_TEXT_H_
