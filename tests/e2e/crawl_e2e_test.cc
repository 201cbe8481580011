// End to end over the project's own fixture site (tests/fixtures/site):
// two hosts behind one loopback server, pinned with --resolve; articles in
// heavy chrome, EUC-KR pages, a syndicated exact duplicate, tracking-parameter
// and fragment variants, robots.txt with a disallowed /private/ area.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/fixture_site.h"
#include "tests/testing/http_server.h"
#include "tests/testing/paths.h"
#include "tests/testing/process.h"

namespace jikji {
namespace {

using ::jikji::testing::CommandResult;
using ::jikji::testing::FixturePath;
using ::jikji::testing::HttpRequest;
using ::jikji::testing::JikjiBinary;
using ::jikji::testing::RunCommand;
using ::jikji::testing::TempDir;
using json = nlohmann::json;

using ::jikji::testing::FixtureSite;
using ::jikji::testing::Jikji;
using ::jikji::testing::ParseLines;
class CrawlE2eTest : public ::testing::Test {
 protected:
  void Crawl() {
    std::string port = std::to_string(site_.port());
    CommandResult r = Jikji({"crawl", "--archive", archive_, "--seed", "http://news-a.test:" + port + "/",
                             "--seed", "http://news-b.test:" + port + "/", "--resolve",
                             "news-a.test:" + port + ":127.0.0.1", "--resolve",
                             "news-b.test:" + port + ":127.0.0.1", "--per-host-delay", "0",
                             "--concurrency", "4", "--log-level", "debug"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    crawl_log_ = r.err;
  }

  FixtureSite site_;
  TempDir tmp_;
  std::string archive_ = tmp_.Sub("archive");
  std::string crawl_log_;
};

TEST_F(CrawlE2eTest, CrawlStoresEveryArticleCleanAndExportsIt) {
  ASSERT_NO_FATAL_FAILURE(Crawl());
  const json& expected = site_.expected();

  // What the server saw: robots.txt first on each host, nothing private,
  // no URL twice, no tracking variant.
  std::map<std::string, std::vector<std::string>> by_host;
  std::set<std::string> seen;
  for (const HttpRequest& r : site_.Requests()) {
    by_host[r.host].push_back(r.target);
    EXPECT_TRUE(seen.insert(r.host + r.target).second) << "fetched twice: " << r.host << r.target;
    EXPECT_EQ(r.target.find("utm_"), std::string::npos) << r.target;
    EXPECT_EQ(r.target.find("fbclid"), std::string::npos) << r.target;
    for (const auto& never : expected["never_fetched"]) {
      EXPECT_FALSE(r.target.starts_with(never.get<std::string>())) << "robots.txt ignored: " << r.target;
    }
  }
  ASSERT_EQ(by_host.size(), 2u) << "only the two seed hosts are in scope";
  for (const auto& [host, targets] : by_host) {
    ASSERT_FALSE(targets.empty());
    EXPECT_EQ(targets.front(), "/robots.txt") << host;
  }

  // The export: every article, clean, once; the syndicated copy is an alias.
  CommandResult exported = Jikji({"export", "--archive", archive_});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::map<std::string, json> rows;
  for (json& row : ParseLines(exported.out)) rows[row["url"].get<std::string>()] = row;
  // An exact duplicate pair is exported once, under whichever URL was
  // stored first (crawl timing decides); the other URL is its alias.
  for (const json& d : expected["duplicates"]) {
    std::string copy = site_.Url(d["url"]), original = site_.Url(d["duplicate_of"]);
    EXPECT_EQ(rows.count(copy) + rows.count(original), 1u) << "an exact duplicate is an alias, not a row";
    if (rows.count(copy)) rows[original] = rows[copy];
  }
  for (const json& a : expected["articles"]) {
    std::string url = site_.Url(a["url"]);
    ASSERT_TRUE(rows.count(url)) << "missing from export: " << url << "\n" << exported.out;
    const json& row = rows[url];
    EXPECT_EQ(row["title"], a["title"]) << url;
    std::string body = row["body"];
    EXPECT_FALSE(body.empty()) << url;
    EXPECT_NE(body.find(a["first_sentence"].get<std::string>()), std::string::npos)
        << url << " body lost its text (charset?):\n" << body;
    for (const auto& chrome : expected["chrome_lines"]) {
      EXPECT_EQ(body.find(chrome.get<std::string>()), std::string::npos)
          << url << " body keeps chrome '" << chrome.get<std::string>() << "':\n" << body;
    }
    EXPECT_EQ(row["version"], 1);
    EXPECT_FALSE(row["content_hash"].get<std::string>().empty());
  }
  EXPECT_EQ(ParseLines(exported.out).size(), expected["articles"].size()) << exported.out;

  CommandResult stats = Jikji({"stats", "--json", "--archive", archive_});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  json s = json::parse(stats.out);
  EXPECT_EQ(s["articles"], expected["articles"].size());
  EXPECT_EQ(s["duplicates"], expected["duplicates"].size());
  EXPECT_EQ(s["versions"], expected["articles"].size());
  EXPECT_TRUE(s["by_site"].contains("news-a.test")) << s.dump();
  EXPECT_TRUE(s["by_site"].contains("news-b.test")) << s.dump();
}

TEST_F(CrawlE2eTest, SecondCrawlStoresNoNewVersions) {
  ASSERT_NO_FATAL_FAILURE(Crawl());
  ASSERT_NO_FATAL_FAILURE(Crawl());
  CommandResult stats = Jikji({"stats", "--json", "--archive", archive_});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  json s = json::parse(stats.out);
  EXPECT_EQ(s["versions"], site_.expected()["articles"].size()) << "an unchanged refetch is not a version";
  EXPECT_GT(s["captures"].get<int>(), s["urls"].get<int>()) << "every fetch is recorded";
}

TEST(ExtractCliTest, ExtractsEucKrFixtureToUtf8) {
  CommandResult r = RunCommand({JikjiBinary().string(), "extract",
                                FixturePath("site/news-b.test/article/201.html").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json article = json::parse(r.out);
  EXPECT_EQ(article["charset"], "EUC-KR");
  EXPECT_TRUE(article["is_article"].get<bool>());
  EXPECT_EQ(article["title"], "GPU 확보 경쟁 치열…소버린 AI 인프라 예산 늘린다");
  // 똠 exists only in CP949's extension (UHC): decoding as strict EUC-KR would lose it.
  EXPECT_NE(article["body"].get<std::string>().find("똠방각하"), std::string::npos) << article["body"];
}

TEST(ExtractCliTest, SeveralInputsGiveJsonLinesWithFileKey) {
  CommandResult r = RunCommand({JikjiBinary().string(), "extract", "--format", "jsonl",
                                FixturePath("site/news-a.test/news").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = ParseLines(r.out);
  ASSERT_EQ(rows.size(), 4u);  // 101, 102, 103 and the list page
  int articles = 0;
  for (const json& row : rows) {
    EXPECT_TRUE(row.contains("file"));
    if (row["is_article"].get<bool>()) ++articles;
  }
  EXPECT_EQ(articles, 3) << "list.html is not an article";
}

TEST(CliTest, BadConfigIsReportedWithFileAndLine) {
  TempDir tmp;
  std::string path = tmp.Sub("bad.toml");
  {
    std::ofstream out(path);
    out << "[crawl]\nconcurrency = \"lots\"\n";
  }
  CommandResult r = RunCommand({JikjiBinary().string(), "crawl", "--config", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.toml:2: key 'crawl.concurrency'"), std::string::npos) << r.err;
}

TEST(CliTest, ExportWithoutArchiveFailsClearly) {
  TempDir tmp;
  CommandResult r = RunCommand({JikjiBinary().string(), "export", "--archive", tmp.Sub("none")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no archive at"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace jikji
