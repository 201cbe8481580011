// Article: what the extractor makes of one page. A plain value type with no
// dependencies, shared by parser/ (which fills it), storage/ (which stores
// versions of it) and the CLI (which prints it).
//
// Thread safety: a value.
#ifndef JIKJI_PARSER_ARTICLE_H_
#define JIKJI_PARSER_ARTICLE_H_

#include <string>
#include <vector>

namespace jikji {

struct Article {
  std::string url;                   // the URL the page was fetched from
  bool is_article = false;           // false: list, index, forum board, search page...
  std::string title;
  std::vector<std::string> authors;  // bare names, no "기자", no e-mail
  std::string published;             // ISO 8601 with offset; a bare YYYY-MM-DD when the page gives no time
  std::string modified;              // ISO 8601 with offset, or empty
  std::string site_name;
  std::string section;
  std::string canonical_url;         // absolute, from rel=canonical / og:url
  std::string language;              // "ko", "en", ... or empty
  std::string description;
  std::string lead_image;            // absolute URL or empty
  std::string body;                  // NFC, paragraphs separated by '\n'
  std::vector<std::string> captions; // image captions and credits
  std::string charset;               // the encoding the bytes were decoded as
  std::vector<std::string> diagnostics;  // what the extractor noticed (tolerant parsing)
};

// Bumped whenever extraction output may change for the same input; stored
// with every article version so `jikji rebuild` knows what is stale.
// 3: declared charsets the bytes contradict are overridden (DecodeHtml);
// tags beyond ExtractOptions::max_tags are dropped.
// 4: markup the prefilter removes no longer joins a '<' or '&' before it
// with the text after it (text placeholders changed no output).
inline constexpr int kExtractorVersion = 4;

}  // namespace jikji

#endif  // JIKJI_PARSER_ARTICLE_H_
