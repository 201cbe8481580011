#include "parser/feeds.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "tests/testing/paths.h"

namespace jikji::parser {
namespace {

using testing::FixturePath;
using testing::ReadFile;

FeedResult ParseFixture(const std::string& name, const std::string& url,
                        const std::string& content_type = "",
                        const FeedOptions& options = {}) {
  std::string bytes = ReadFile(FixturePath("feeds/" + name));
  EXPECT_FALSE(bytes.empty()) << "missing fixture " << name;
  return ParseFeed(bytes, url, content_type, options);
}

bool HasWarning(const FeedResult& r, const std::string& prefix) {
  for (const auto& w : r.warnings) {
    if (w.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string Gzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(FeedsTest, EucKrRssDecodesAndResolves) {
  auto r = ParseFixture("euckr_rss.xml", "https://www.etnews.com/rss/policy.xml");
  EXPECT_EQ(r.kind, FeedKind::kRss);
  EXPECT_EQ(r.title, "전자신문 - 정책");
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].title, "과기정통부, 인공지능 기본법 시행령 발표");
  EXPECT_EQ(r.entries[0].url, "https://www.etnews.com/20240101000123");
  EXPECT_EQ(r.entries[0].published, "2024-01-01T00:30:00Z");
  EXPECT_EQ(r.entries[1].title, "방통위 & 개인정보위 합동 점검");
  EXPECT_EQ(r.entries[1].published, "2024-01-02T01:00:00Z");  // KST is +09:00
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
}

TEST(FeedsTest, HttpCharsetWinsOverDeclarationAndALyingOneIsOverridden) {
  // The bytes are EUC-KR but the declaration lies (says UTF-8); the HTTP
  // header is right, and wins.
  std::string bytes = ReadFile(FixturePath("feeds/euckr_rss.xml"));
  size_t pos = bytes.find("EUC-KR");
  ASSERT_NE(pos, std::string::npos);
  bytes.replace(pos, 6, "UTF-8");
  auto r = ParseFeed(bytes, "https://www.etnews.com/rss", "application/rss+xml; charset=euc-kr");
  EXPECT_EQ(r.title, "전자신문 - 정책");
  EXPECT_FALSE(HasWarning(r, "encoding:"));
  // Without the header, the declaration decodes to hundreds of invalid
  // sequences while EUC-KR decodes cleanly to Hangul: the bytes win, and
  // a warning says so.
  auto relabelled = ParseFeed(bytes, "https://www.etnews.com/rss", "application/rss+xml");
  EXPECT_EQ(relabelled.title, "전자신문 - 정책");
  EXPECT_TRUE(HasWarning(relabelled, "encoding: declared UTF-8 (declaration) does not fit"));
}

TEST(FeedsTest, GzipSitemap) {
  auto r = ParseFixture("sitemap.xml.gz", "https://www.example.kr/sitemap.xml.gz");
  EXPECT_EQ(r.kind, FeedKind::kUrlset);
  ASSERT_EQ(r.entries.size(), 5u);
  EXPECT_EQ(r.entries[0].url, "https://www.example.kr/news/1");
  EXPECT_EQ(r.entries[4].modified, "2024-03-05");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(FeedsTest, GzipBombIsCapped) {
  std::string big = "<urlset>";
  while (big.size() < 4 << 20) big += "<url><loc>https://a.kr/x</loc></url>";
  big += "</urlset>";
  FeedOptions options;
  options.max_decompressed_bytes = 1 << 20;
  auto r = ParseFeed(Gzip(big), "https://a.kr/s.xml.gz", "", options);
  EXPECT_TRUE(HasWarning(r, "limit:"));
  EXPECT_GT(r.entries.size(), 1000u);
  EXPECT_LE(r.entries.size() * 36, size_t{1} << 20);  // 36 bytes per <url>  // nothing beyond the cap was read
}

TEST(FeedsTest, CorruptGzipKeepsWhatInflated) {
  std::string gz = ReadFile(FixturePath("feeds/sitemap.xml.gz"));
  auto r = ParseFeed(gz.substr(0, gz.size() / 2), "https://www.example.kr/s.xml.gz", "");
  EXPECT_TRUE(HasWarning(r, "gzip:"));
}

TEST(FeedsTest, MaxEntries) {
  FeedOptions options;
  options.max_entries = 3;
  auto r = ParseFixture("sitemap.xml.gz", "https://www.example.kr/sitemap.xml.gz", "", options);
  EXPECT_EQ(r.entries.size(), 3u);
  EXPECT_TRUE(HasWarning(r, "limit:"));
}

TEST(FeedsTest, SitemapIndex) {
  auto r = ParseFixture("sitemap_index.xml", "https://www.example.kr/sitemap.xml");
  EXPECT_EQ(r.kind, FeedKind::kSitemapIndex);
  ASSERT_EQ(r.sitemaps.size(), 2u);
  EXPECT_EQ(r.sitemaps[0], "https://www.example.kr/sitemap-news.xml");
  EXPECT_EQ(r.sitemaps[1], "https://www.example.kr/sitemap-2024-02.xml.gz");
  EXPECT_TRUE(r.entries.empty());
}

TEST(FeedsTest, GoogleNewsSitemap) {
  auto r = ParseFixture("news_sitemap.xml", "https://www.example.kr/news-sitemap.xml");
  EXPECT_EQ(r.kind, FeedKind::kUrlset);
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].url, "https://www.example.kr/article/1001");
  EXPECT_EQ(r.entries[0].title, "반도체 수출 규제 완화 논의");
  EXPECT_EQ(r.entries[0].published, "2024-03-05T09:00:00+09:00");
  EXPECT_EQ(r.entries[1].title, "망 중립성 & 플랫폼법");
  EXPECT_EQ(r.entries[1].published, "2024-03-05");
}

TEST(FeedsTest, TruncatedFeedKeepsWhatWasRead) {
  auto r = ParseFixture("truncated_rss.xml", "https://a.kr/rss");
  EXPECT_EQ(r.kind, FeedKind::kRss);
  EXPECT_EQ(r.title, "Truncated");
  ASSERT_GE(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].url, "https://a.kr/1");
  EXPECT_EQ(r.entries[1].title, "Second");
  EXPECT_TRUE(HasWarning(r, "xml:"));
}

TEST(FeedsTest, AtomLinksAndXmlBase) {
  auto r = ParseFixture("atom.xml", "https://feeds.example.kr/atom");
  EXPECT_EQ(r.kind, FeedKind::kAtom);
  EXPECT_EQ(r.title, "Example Atom");
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].url, "https://blog.example.kr/posts/1.html");
  EXPECT_EQ(r.entries[0].published, "2024-02-01T00:00:00Z");
  EXPECT_EQ(r.entries[0].modified, "2024-02-02T00:00:00Z");
  EXPECT_EQ(r.entries[1].url, "https://blog.example.kr/archive/2.mp3");
}

TEST(FeedsTest, Rss10Rdf) {
  auto r = ParseFixture("rdf.xml", "https://rdf.example.kr/index.rdf");
  EXPECT_EQ(r.kind, FeedKind::kRdf);
  EXPECT_EQ(r.title, "RDF Channel");
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].url, "https://rdf.example.kr/a");
  EXPECT_EQ(r.entries[0].published, "2024-01-05T10:00:00+09:00");
  EXPECT_EQ(r.entries[1].url, "https://rdf.example.kr/b");  // from rdf:about
}

TEST(FeedsTest, ExternalEntitiesNeverLoaded) {
  auto r = ParseFixture("xxe_sitemap.xml", "https://www.example.kr/sitemap.xml");
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].url, "https://www.example.kr/safe");  // internal entity expanded
  EXPECT_EQ(r.entries[1].url, "https://www.example.kr/");      // external one dropped
  EXPECT_TRUE(HasWarning(r, "entity: external entity"));
}

TEST(FeedsTest, TextSitemap) {
  auto r = ParseFixture("sitemap.txt", "https://www.example.kr/sitemap.txt", "text/plain");
  EXPECT_EQ(r.kind, FeedKind::kText);
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].url, "https://www.example.kr/a");
  EXPECT_EQ(r.entries[1].url, "https://www.example.kr/b");
  EXPECT_TRUE(HasWarning(r, "entry:"));  // "not a url" and the ftp line
}

TEST(FeedsTest, GarbageAndEmpty) {
  auto empty = ParseFeed("", "https://a.kr/rss", "");
  EXPECT_EQ(empty.kind, FeedKind::kUnknown);
  EXPECT_FALSE(empty.warnings.empty());
  auto html = ParseFeed("<html><body><p>hi</p></body></html>", "https://a.kr/", "text/html");
  EXPECT_EQ(html.kind, FeedKind::kUnknown);
  EXPECT_TRUE(HasWarning(html, "format:"));
  auto binary = ParseFeed(std::string("\x00\x01\x02garbage\xff", 11), "https://a.kr/x", "");
  EXPECT_EQ(binary.kind, FeedKind::kUnknown);
  EXPECT_TRUE(binary.entries.empty());
}

TEST(FeedsTest, LooksLikeFeed) {
  EXPECT_TRUE(LooksLikeFeed("<?xml version=\"1.0\"?><rss version=\"2.0\">", ""));
  EXPECT_TRUE(LooksLikeFeed("\xEF\xBB\xBF<!-- c --><feed xmlns=\"http://www.w3.org/2005/Atom\">",
                            "text/xml"));
  EXPECT_TRUE(LooksLikeFeed("<rdf:RDF xmlns:rdf=\"x\">", ""));
  EXPECT_TRUE(LooksLikeFeed("<urlset>", "application/xml"));
  EXPECT_TRUE(LooksLikeFeed("<sitemapindex>", ""));
  EXPECT_TRUE(LooksLikeFeed("", "application/rss+xml; charset=utf-8"));
  EXPECT_TRUE(LooksLikeFeed(ReadFile(FixturePath("feeds/sitemap.xml.gz")), ""));
  EXPECT_TRUE(LooksLikeFeed("https://a.kr/1\nhttps://a.kr/2\n", "text/plain"));
  EXPECT_FALSE(LooksLikeFeed("<!DOCTYPE html><html><head>", "text/html"));
  EXPECT_FALSE(LooksLikeFeed("<html><rss>", ""));
  EXPECT_FALSE(LooksLikeFeed("hello world", "text/plain"));
  EXPECT_FALSE(LooksLikeFeed("{\"json\": true}", "application/json"));
}

TEST(FeedsTest, SitemapOver50000UrlsIsTruncated) {
  // sitemaps.org limits, generated here as the README asks: 50,001 URLs.
  std::string big = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">";
  for (int i = 0; i <= 50000; ++i) big += "<url><loc>https://a.kr/" + std::to_string(i) + "</loc></url>";
  big += "</urlset>";
  FeedResult r = ParseFeed(big, "https://a.kr/sitemap.xml", "application/xml");
  EXPECT_EQ(r.entries.size(), 50000u);
  bool limit = false;
  for (const auto& w : r.warnings) limit |= w.rfind("limit:", 0) == 0;
  EXPECT_TRUE(limit);
}

}  // namespace
}  // namespace jikji::parser
