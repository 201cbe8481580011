// Fuzz target for the parser's untrusted-input path: charset sniffing and
// decoding (parser/charset.h) and the whole extractor (parser/extractor.h).
// The first input byte picks the Content-Type header, the rules and the link
// filter so that one corpus covers the HTTP-charset, <meta>, detection,
// rule and link-filter paths (the last with boilerplate blocks left out on a
// second pass, which must extract the same article); the rest is the page.
//
// Built two ways (tests/fuzz/CMakeLists.txt): as a libFuzzer binary with
// clang-14 (-DJIKJI_FUZZ=ON), and linked with replay_main.cc into a ctest
// that runs every seed of tests/fuzz/corpus/ under the normal build.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "parser/charset.h"
#include "parser/extractor.h"

namespace {

constexpr std::string_view kContentTypes[] = {
    "", "text/html", "text/html; charset=utf-8", "text/html; charset=euc-kr",
    "text/html; charset=\"ks_c_5601-1987\"", "text/html;charset=windows-1252",
    "text/html; charset=utf-16le", "text/html; charset=bogus"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string_view content_type = kContentTypes[selector % std::size(kContentTypes)];

  jikji::parser::SniffResult sniff = jikji::parser::SniffEncoding(bytes, content_type);
  std::string decoded;
  size_t replaced = 0;
  if (!jikji::parser::DecodeToUtf8(bytes, sniff.encoding, &decoded, &replaced)) __builtin_trap();
  (void)jikji::parser::PrescanMeta(bytes);
  (void)jikji::parser::CharsetFromContentType(content_type);

  jikji::parser::ExtractRules rules;
  rules.body = {"div.article-body", "#articleBody", "article > p"};
  rules.drop = {"[class=ad]", ".related a"};
  rules.title = {"h1"};
  jikji::parser::ExtractOptions options;
  options.collect_links = (selector & 0x10) != 0;
  if (selector & 0x20) options.rules = &rules;
  if (selector & 0x40) options.max_depth = 8;
  // The crawler's path: links asked about before they are resolved (and,
  // without <base>, during the walk). Refuses every other one.
  size_t asked = 0;
  if (selector & 0x80) {
    options.link_filter = [&asked](std::string_view scope, std::string_view href, bool) {
      // A scope is nothing or the start of an http(s) URL; hrefs come trimmed.
      if (!scope.empty() && scope.substr(0, 4) != "http") __builtin_trap();
      if (href.empty()) __builtin_trap();
      return ++asked % 2 == 0;
    };
  }
  // The crawler's repeated menus and footers: blocks it knows are left out
  // of the parse (ExtractOptions::known_block). The page again with every
  // block of the first pass known must give the same article.
  std::set<uint64_t> known;
  if (selector & 0x80) {
    options.known_block = [&known](uint64_t fp) { return known.count(fp) > 0; };
  }
  jikji::parser::Page page =
      jikji::parser::ExtractPage(bytes, "https://news.example.com/a/1", content_type, options);
  // Invariants every result must hold.
  if (!page.article.is_article && !page.article.body.empty()) __builtin_trap();
  if (page.skipped_blocks != 0) __builtin_trap();  // nothing was known
  if (!page.boiler_blocks.empty()) {
    known.insert(page.boiler_blocks.begin(), page.boiler_blocks.end());
    asked = 0;
    jikji::parser::Page again =
        jikji::parser::ExtractPage(bytes, "https://news.example.com/a/1", content_type, options);
    const jikji::Article& a = page.article;
    const jikji::Article& b = again.article;
    if (a.is_article != b.is_article || a.title != b.title || a.body != b.body ||
        a.authors != b.authors || a.published != b.published || a.modified != b.modified ||
        a.section != b.section || a.canonical_url != b.canonical_url || a.captions != b.captions ||
        a.lead_image != b.lead_image || a.description != b.description) {
      __builtin_trap();
    }
  }
  return 0;
}
