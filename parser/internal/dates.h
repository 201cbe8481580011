// Date and time strings found in pages, to ISO 8601.
//
// Understands ISO 8601 / RFC 3339 ("2025-02-06T15:15:00+09:00", "...Z"),
// dotted and slashed Korean forms ("2025.02.06 15:15", "2025/2/6 오후 3:15",
// "2025-02-15 22:49:11"), and "2025년 2월 6일 (목) 15:15" / "15시 15분".
// A time without an offset gets `default_offset` (Korean sites: "+09:00").
// A date without a time comes out as "YYYY-MM-DD".
//
// Thread safety: free functions; reentrant.
#ifndef JIKJI_PARSER_INTERNAL_DATES_H_
#define JIKJI_PARSER_INTERNAL_DATES_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace jikji::parser::internal {

inline constexpr std::string_view kDefaultOffset = "+09:00";

struct DateMatch {
  std::string iso;     // "" when nothing was found
  size_t begin = 0;    // byte range of the match in the searched text
  size_t end = 0;
  bool has_time = false;
};

// The first date (year 1990..2099) in `text`, scanning from the start.
DateMatch FindDate(std::string_view text, std::string_view default_offset = kDefaultOffset);

// `text` must start (after white space) with the date; "" otherwise.
std::string ParseDate(std::string_view text, std::string_view default_offset = kDefaultOffset);

}  // namespace jikji::parser::internal

#endif  // JIKJI_PARSER_INTERNAL_DATES_H_
