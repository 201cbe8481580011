// Boilerplate blocks left out of the parse over the 181 pages of the
// article-extraction benchmark (../shared/datasets): each page extracted
// without known_block, then knowing every block it has, gives the same
// article (tests/parser/boiler_blocks_test.cc does the same on the fixtures).
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "tests/parser/boiler_blocks_util.h"
#include "tests/testing/paths.h"

namespace jikji::parser {
namespace {

TEST(BoilerBlocksSharedTest, BenchmarkPagesExtractTheSameWithTheirBlocksLeftOut) {
  JIKJI_REQUIRE_SHARED(shared);
  const std::filesystem::path dir = shared / "datasets" / "article-extraction-benchmark" / "html";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << dir << " is absent";
  size_t pages = 0, offered = 0, skipped = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string html = testing::Gunzip(testing::ReadFile(entry.path()));  // the pages are gzipped
    ASSERT_FALSE(html.empty()) << entry.path();
    SCOPED_TRACE(entry.path().string());
    Twice t = ExtractTwice(html, "https://example.test/a/b/" + entry.path().stem().string(), "");
    ExpectSameArticle(t.plain.article, t.first.article);
    ExpectSameArticle(t.plain.article, t.second.article);
    EXPECT_EQ(LinkUrls(t.plain), LinkUrls(t.first));
    for (const std::string& u : LinkUrls(t.second)) EXPECT_TRUE(LinkUrls(t.plain).count(u)) << u;
    ++pages;
    offered += t.first.boiler_blocks.size();
    skipped += t.second.skipped_blocks;
  }
  EXPECT_GE(pages, 180u);
  // (A block inside one left out is not offered the second time.)
  EXPECT_LE(skipped, offered);
  EXPECT_GE(skipped, 50u);
  std::cout << pages << " pages, " << skipped << " blocks left out on the second pass\n";
}

}  // namespace
}  // namespace jikji::parser
