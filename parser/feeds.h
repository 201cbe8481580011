// Feed and sitemap parsing: RSS 2.0, RSS 1.0 (RDF), Atom, sitemaps.org
// urlset and sitemapindex (plain or gzip-compressed), Google News sitemap
// tags, and plain-text sitemaps (one URL a line).
//
// Tolerant: a broken document yields every entry that could be read plus a
// warning; never throws, never fails.
//
// Thread safety: reentrant.
#ifndef JIKJI_PARSER_FEEDS_H_
#define JIKJI_PARSER_FEEDS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace jikji::parser {

enum class FeedKind { kUnknown, kRss, kRdf, kAtom, kUrlset, kSitemapIndex, kText };

struct FeedEntry {
  std::string url;        // absolute (resolved against the feed URL)
  std::string title;      // UTF-8, may be empty
  std::string published;  // ISO 8601 as given or converted, may be empty
  std::string modified;   // lastmod / updated, may be empty
};

struct FeedResult {
  FeedKind kind = FeedKind::kUnknown;
  std::string title;
  std::vector<FeedEntry> entries;      // items, or urlset <url> entries
  std::vector<std::string> sitemaps;   // <sitemap><loc> of a sitemap index
  std::vector<std::string> warnings;   // what was malformed or skipped
};

struct FeedOptions {
  size_t max_entries = 50000;                 // sitemaps.org limit
  size_t max_decompressed_bytes = 64 << 20;   // gzip bomb guard
};

// Parses `bytes` fetched from `url` with the given Content-Type (for its
// charset; may be empty). gzip input (magic 1f 8b) is decompressed first.
FeedResult ParseFeed(std::string_view bytes, std::string_view url, std::string_view content_type,
                     const FeedOptions& options = {});

// True when the bytes look like a feed or sitemap rather than HTML.
bool LooksLikeFeed(std::string_view bytes, std::string_view content_type);

}  // namespace jikji::parser

#endif  // JIKJI_PARSER_FEEDS_H_
