// Article metadata from JSON-LD (schema.org) blocks.
//
// Thread safety: free function; reentrant.
#ifndef JIKJI_PARSER_INTERNAL_JSONLD_H_
#define JIKJI_PARSER_INTERNAL_JSONLD_H_

#include <string>
#include <string_view>
#include <vector>

namespace jikji::parser::internal {

struct JsonLdArticle {
  bool found = false;  // an object typed *Article, BlogPosting, ... was seen
  std::string type;
  std::string headline;
  std::string date_published;  // as given
  std::string date_modified;
  std::string section;
  std::string description;
  std::string image;
  std::string publisher;
  std::string url;
  std::vector<std::string> authors;  // raw names as given
};

// Merges what `json` holds into *out (values already set are kept).
// Returns false when the text is not valid JSON.
bool ParseJsonLd(std::string_view json, JsonLdArticle* out);

}  // namespace jikji::parser::internal

#endif  // JIKJI_PARSER_INTERNAL_JSONLD_H_
