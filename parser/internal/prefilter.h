// The cheap byte-level pass that runs before Gumbo. Gumbo 0.10.1 spends
// time on every comment and script byte and is quadratic in nesting depth,
// so this pass:
//   - removes comments and the contents of <script>, <style>, <svg>,
//     <noscript> and <template>, keeping the text of
//     <script type="application/ld+json"> aside for metadata;
//   - removes NUL bytes;
//   - drops start tags nested deeper than a limit (and as many end tags),
//     so that their contents become children of the element at the limit;
//   - drops every tag after the first `max_tags` (their text stays, in the
//     element open at the cut): Gumbo's tree grows with the element count,
//     so this bounds a page's parse memory whatever its markup;
//   - if asked, stands in a placeholder for each plain text run and quoted
//     attribute value and keeps its text aside (internal/textrun.h), to be
//     put back into the parsed tree with ExpandTextRuns(), and shortens runs
//     of white space alone to two characters;
//   - if asked, unwraps bare inline elements around text alone: <span>,
//     <mark>, <em>, <i>, <u> and <small> with no attribute, closed by the
//     next markup (their own end tag), holding text that neither starts
//     nor ends with white space, with a tag (not white space) right before
//     and after: `<li><em>1</em><a ...>`, `<p><span>2025.02.06</span></p>`.
//     The text stays where it was; only the element, which carries nothing
//     the extractor reads, is gone (Gumbo spends a token per character of
//     markup and the tree builder a node per element). Not inside title,
//     textarea and the raw-text elements (their markup is text), not right
//     inside a table (whose text the tree builder moves out), and not a
//     formatting element (em i u small) while one of its name may still be
//     open (the tree builder's list of them would differ). The caller must
//     not ask for it when selectors may name these elements.
// Removed markup leaves an empty comment where a '<' or '&' before it
// would otherwise join the text after it.
// The nesting count is an estimate (optional end tags of p/li/dt/dd/td/th/
// tr/option are closed as the HTML parser would in the common cases); it
// only has to be right for the pathological inputs it guards against.
//
// Thread safety: free function; reentrant.
#ifndef JIKJI_PARSER_INTERNAL_PREFILTER_H_
#define JIKJI_PARSER_INTERNAL_PREFILTER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "parser/internal/textrun.h"

namespace jikji::parser::internal {

// Limits of the JSON-LD kept aside.
inline constexpr size_t kMaxJsonLdBlocks = 16;
inline constexpr size_t kMaxJsonLdBytes = 256 * 1024;

struct PrefilterResult {
  std::string html;                   // what Gumbo will parse
  std::vector<std::string> json_ld;   // raw text of ld+json scripts, in order
  size_t removed_bytes = 0;           // comments, scripts, styles, NULs, unwrapped tags
  size_t depth_capped_tags = 0;       // start tags dropped by the depth guard
  size_t count_capped_tags = 0;       // tags dropped beyond max_tags
  size_t unwrapped_tags = 0;          // start and end tags of unwrapped elements
  TextRuns runs;                      // text behind html's placeholders
};

struct PrefilterOptions {
  int max_depth = 256;  // >= 1
  size_t max_tags = 100'000;
  // Text runs replaced where textrun.h allows (never on a page holding the
  // placeholders' plane; out->runs stays empty then).
  bool text_placeholders = false;
  // The caller vouches that the html is well-formed UTF-8, as DecodeHtml()
  // makes it; its text runs are then vetted faster (TextRuns::clear()).
  bool valid_utf8 = false;
  // Bare inline elements around text alone are unwrapped (above).
  bool unwrap_bare_inline = false;
};

// `html` must be UTF-8 (already decoded).
void Prefilter(std::string_view html, const PrefilterOptions& options, PrefilterResult* out);

}  // namespace jikji::parser::internal

#endif  // JIKJI_PARSER_INTERNAL_PREFILTER_H_
