// Helpers for the boilerplate-block tests: one page extracted without
// known_block, then twice with it (the second time knowing every block the
// first parsed).
#ifndef JIKJI_TESTS_PARSER_BOILER_BLOCKS_UTIL_H_
#define JIKJI_TESTS_PARSER_BOILER_BLOCKS_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parser/extractor.h"

namespace jikji::parser {

struct Twice {
  Page plain;   // no known_block
  Page first;   // known_block, nothing known
  Page second;  // known_block, the first pass's blocks known
};

inline Twice ExtractTwice(std::string_view html, std::string_view url, std::string_view content_type) {
  Twice t;
  t.plain = ExtractPage(html, url, content_type);
  std::set<uint64_t> known;
  ExtractOptions options;
  options.known_block = [&](uint64_t fp) { return known.count(fp) > 0; };
  t.first = ExtractPage(html, url, content_type, options);
  known.insert(t.first.boiler_blocks.begin(), t.first.boiler_blocks.end());
  t.second = ExtractPage(html, url, content_type, options);
  return t;
}

inline void ExpectSameArticle(const Article& a, const Article& b) {
  EXPECT_EQ(a.is_article, b.is_article);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.authors, b.authors);
  EXPECT_EQ(a.published, b.published);
  EXPECT_EQ(a.modified, b.modified);
  EXPECT_EQ(a.site_name, b.site_name);
  EXPECT_EQ(a.section, b.section);
  EXPECT_EQ(a.canonical_url, b.canonical_url);
  EXPECT_EQ(a.language, b.language);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.lead_image, b.lead_image);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.captions, b.captions);
  EXPECT_EQ(a.charset, b.charset);
  // All but the note that the page was parsed twice because Gumbo read some
  // markup otherwise than the prefilter's placeholders: a block left out
  // may take that markup with it (the tree is the same either way).
  auto notes = [](const Article& x) {
    std::vector<std::string> out;
    for (const std::string& d : x.diagnostics) {
      if (d.rfind("parse: parsed again without text placeholders", 0) != 0) out.push_back(d);
    }
    return out;
  };
  EXPECT_EQ(notes(a), notes(b));
}

inline std::set<std::string> LinkUrls(const Page& p) {
  std::set<std::string> urls;
  for (const Link& l : p.links) urls.insert(l.url + " " + l.text);
  return urls;
}

}  // namespace jikji::parser

#endif  // JIKJI_TESTS_PARSER_BOILER_BLOCKS_UTIL_H_
