// The page extractor: bytes in, Article plus links out. No network, no
// storage. One Gumbo parse per page serves both the article and the links.
//
// Thread safety: ExtractPage is reentrant; an ExtractRules value may be
// shared by many threads (read only).
#ifndef JIKJI_PARSER_EXTRACTOR_H_
#define JIKJI_PARSER_EXTRACTOR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/article.h"

namespace jikji::parser {

// Per-site extraction rules, loaded from config/sites/*.toml. CSS selectors
// in the subset the parser implements (tag, #id, .class, [attr], [attr=v],
// descendant, child, comma). Empty lists mean "generic algorithm".
struct ExtractRules {
  std::vector<std::string> body;    // the article body container(s)
  std::vector<std::string> title;
  std::vector<std::string> published;
  std::vector<std::string> author;
  std::vector<std::string> drop;    // removed before anything else
};

struct ExtractOptions {
  // Bytes beyond this are cut before parsing (diagnostic "input truncated").
  size_t max_input_bytes = 8 << 20;
  // Elements nested deeper than this are flattened before Gumbo sees them.
  int max_depth = 256;
  // Tags (start and end) beyond this many are dropped before Gumbo, their
  // text kept: the parse tree, and so memory, grows with the tag count.
  // The 181 pages of the extraction benchmark have at most ~3,200 tags;
  // a 6.6 MB page of 300,000 links took ~250 MB to parse.
  size_t max_tags = 100'000;
  // Optional per-site rules; must outlive the call.
  const ExtractRules* rules = nullptr;
  // Whether to collect links (the CLI `extract` does not need them).
  bool collect_links = true;
  // Optional: asked of each <a>/<area> link whose target does not depend on
  // the page's own path (an absolute http(s) href, or one from the root),
  // before it is resolved, with url::ResolutionScope() of the page's base
  // for it (empty, or the base's origin), the href as written (trimmed) and
  // whether rel has nofollow. A link it answers false for is left out of
  // Page::links. For a caller that has seen most links before: a crawler
  // meets a site's menus and lists on every page of it. (Links relative to
  // the page's path are always kept: their scope is the page itself.)
  std::function<bool(std::string_view scope, std::string_view href, bool nofollow)> link_filter;
  // Optional: asked of each boilerplate block (a <nav>, <footer>, <aside>
  // or <menu> element whose content can change nothing the extractor
  // returns but its links: internal/prefilter.h) with a fingerprint of its
  // bytes and of what its links resolve against. Answering true parses it
  // as an empty element: the article is the same, the block's links are
  // left out. For a caller that took the links of an identical block from
  // another page (a crawler meets a site's menus and footers on every
  // page); the fingerprints of the blocks parsed in full come back in
  // Page::boiler_blocks, to be remembered once their links are handled.
  // Not used with `rules`, nor on a page with a <base> element.
  std::function<bool(uint64_t fingerprint)> known_block;
};

struct Link {
  std::string url;   // absolute, resolved against <base href> or the page URL;
                     // not normalized (the crawler's policy does that)
  std::string text;  // anchor text, whitespace collapsed
  bool nofollow = false;
};

struct Page {
  Article article;
  std::vector<Link> links;             // <a href>, <area href> in document order
  std::vector<std::string> feed_urls;  // <link rel=alternate type=rss/atom>
  // With ExtractOptions::known_block: the blocks offered to it that were
  // parsed in full, and how many were left empty. Blocks it knew that could
  // not be left out where they stood on this page (the tree builder carried
  // markup from around them into them) are in unskippable_blocks: the page
  // was parsed again in full, and the caller should not offer them again.
  std::vector<uint64_t> boiler_blocks;
  size_t skipped_blocks = 0;
  std::vector<uint64_t> unskippable_blocks;
};

// Extracts the article and links of an HTML page.
//   bytes: the raw body as fetched (any charset);
//   url: the page's URL, for resolving relative links (may be empty);
//   content_type: the HTTP Content-Type header, for its charset (may be empty).
// Never fails: malformed input gives a best-effort result with diagnostics.
Page ExtractPage(std::string_view bytes, std::string_view url, std::string_view content_type,
                 const ExtractOptions& options = {});

}  // namespace jikji::parser

#endif  // JIKJI_PARSER_EXTRACTOR_H_
