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
//   - if asked (PrefilterOptions::known_block), leaves out the content of
//     boilerplate blocks seen before: see below.
// Removed markup leaves an empty comment where a '<' or '&' before it
// would otherwise join the text after it.
//
// Boilerplate blocks. A <nav>, <footer>, <aside> or <menu> element is never
// article text nor metadata text (the extractor's boiler tags); a crawler
// meets the same menus and footers on every page of a site, and only their
// links matter, which it has taken from the first page that showed them.
// Such a block is offered to `known_block` when its content can change
// nothing but its own subtree and the page's links: no metadata element or
// attribute (meta, link, base, title, time, h1, itemprop, data-date-time,
// ...), no image (the extractor counts images around the body), no raw text
// or select, markup that closes what it opens (no end tag for an element
// opened before the block, no formatting element, form or table left open:
// the tree builder would carry those past the block), not inside a
// formatting element, button, table row or select, and no tag cap that
// could differ. Offered: the XXH3 of its bytes (start tag up to its end tag)
// and what its hrefs resolve against (BlockScope). When `known_block`
// answers true, the block goes to Gumbo as its start and end tags alone: the
// same element, empty; the extraction is the same but for the block's links.
// The prefilter's view of the markup around a block is an estimate, so the
// caller checks the parsed tree (StubsStandAlone) and parses the page again
// in full when a stub did not end up where the block's content would have
// changed nothing (foster-parented, inside a link or formatting element).
// The nesting count is an estimate (optional end tags of p/li/dt/dd/td/th/
// tr/option are closed as the HTML parser would in the common cases); it
// only has to be right for the pathological inputs it guards against.
//
// Thread safety: free function; reentrant.
#ifndef JIKJI_PARSER_INTERNAL_PREFILTER_H_
#define JIKJI_PARSER_INTERNAL_PREFILTER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/internal/textrun.h"

struct GumboInternalNode;
typedef struct GumboInternalNode GumboNode;

namespace jikji::parser::internal {

// Limits of the JSON-LD kept aside.
inline constexpr size_t kMaxJsonLdBlocks = 16;
inline constexpr size_t kMaxJsonLdBytes = 256 * 1024;

// What the hrefs in a block resolve against, the widest any of them needs:
// nothing (absolute URLs, "#fragment"), the page's origin ("/path",
// "//host"), its directory ("page.html", "../x"), or the whole page URL
// ("?query", "", anything starting with a character reference).
enum class BlockScope : uint8_t { kNone, kOrigin, kDirectory, kDocument };

struct PrefilterResult {
  std::string html;                   // what Gumbo will parse
  std::vector<std::string> json_ld;   // raw text of ld+json scripts, in order
  size_t removed_bytes = 0;           // comments, scripts, styles, NULs, unwrapped tags
  size_t depth_capped_tags = 0;       // start tags dropped by the depth guard
  size_t count_capped_tags = 0;       // tags dropped beyond max_tags
  size_t unwrapped_tags = 0;          // start and end tags of unwrapped elements
  TextRuns runs;                      // text behind html's placeholders
  std::vector<size_t> skipped_at;     // boilerplate blocks left empty (known_block):
                                      // where their start tags are in html
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
  // Boilerplate blocks (above): asked with a block's hash and scope; true
  // leaves its content out. At most kMaxBlockScans blocks per page.
  std::function<bool(uint64_t hash, BlockScope scope)> known_block = nullptr;
};

// Blocks examined per page, and the size and nesting a block may have.
inline constexpr size_t kMaxBlockScans = 32;
inline constexpr size_t kMaxBlockBytes = 256 * 1024;
inline constexpr size_t kMaxBlockNesting = 24;

// Whether every block left empty (result.skipped_at) is in the parsed tree
// `root` (of result.html) as an empty element in a context where its content
// could only have touched its own subtree: explicitly closed, not moved by
// the tree builder (foster parenting, adoption agency), and not inside a
// link, formatting element, button, select, object or a table outside a
// cell.
bool StubsStandAlone(const GumboNode* root, const PrefilterResult& result);

// `html` must be UTF-8 (already decoded).
void Prefilter(std::string_view html, const PrefilterOptions& options, PrefilterResult* out);

}  // namespace jikji::parser::internal

#endif  // JIKJI_PARSER_INTERNAL_PREFILTER_H_
