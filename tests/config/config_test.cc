#include "config/config.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/testing/paths.h"

namespace jikji::config {
namespace {

using ::jikji::testing::SourceDir;
using ::jikji::testing::TempDir;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST(ConfigTest, ShippedConfigLoadsWithRequiredOutlets) {
  auto config = LoadConfig((SourceDir() / "config" / "jikji.toml").string());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->archive_dir, "jikji-archive");
  EXPECT_GE(config->sites.size(), 8u);
  std::set<std::string> hosts;
  for (const SiteConfig& site : config->sites) {
    EXPECT_FALSE(site.hosts.empty()) << site.name;
    for (const auto& h : site.hosts) hosts.insert(h);
  }
  for (const char* required : {"www.etoday.co.kr", "www.todaykorea.co.kr", "www.kidd.co.kr",
                               "www.82cook.com", "zdnet.co.kr", "www.etnews.com", "www.dt.co.kr",
                               "www.yna.co.kr"}) {
    EXPECT_TRUE(hosts.count(required)) << required;
  }
}

TEST(ConfigTest, ValuesAndUnits) {
  auto config = ParseConfig(R"(
[crawl]
concurrency = 8
per_host_delay = "1500ms"
max_body = "2MiB"
max_time = "2m"
resolve = ["a.test:80:127.0.0.1"]
batch_scheduling = false
[log]
format = "json"
)", "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->crawl.concurrency, 8);
  EXPECT_EQ(config->crawl.per_host_delay_ms, 1500);
  EXPECT_EQ(config->crawl.max_body_bytes, 2 << 20);
  EXPECT_EQ(config->crawl.max_time_ms, 120000);
  ASSERT_EQ(config->crawl.resolve.size(), 1u);
  EXPECT_FALSE(config->crawl.batch_scheduling);
  EXPECT_TRUE(config::CrawlSettings{}.batch_scheduling);
  EXPECT_EQ(config->log.format, "json");
}

// Each bad config: the error names file, line and key.
struct BadCase {
  const char* text;
  const char* expected;
};

TEST(ConfigTest, ErrorsNameFileLineAndKey) {
  const BadCase cases[] = {
      {"[crawl]\nconcurency = 4\n", "t.toml:2: key 'crawl.concurency': unknown key"},
      {"[crawl]\nconcurrency = \"many\"\n", "t.toml:2: key 'crawl.concurrency': expected an integer"},
      {"[crawl]\n\nconcurrency = 0\n", "t.toml:3: key 'crawl.concurrency': must be between 1"},
      {"[crawl]\nper_host_delay = \"soon\"\n", "t.toml:2: key 'crawl.per_host_delay': expected a duration"},
      {"[crawl]\nmax_body = \"lots\"\n", "t.toml:2: key 'crawl.max_body': expected a size"},
      {"[log]\nlevel = \"chatty\"\n", "key 'log.level': unknown level"},
      {"[crawl\nconcurrency = 1\n", "t.toml:1:"},
      {"crawl = 3\n", "t.toml:1: key 'crawl': expected a table"},
  };
  for (const BadCase& c : cases) {
    auto config = ParseConfig(c.text, "t.toml");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_TRUE(config.status().IsInvalidArgument());
    EXPECT_NE(config.status().message().find(c.expected), std::string::npos)
        << "got: " << config.status().message() << "\nwanted: " << c.expected;
  }
}

TEST(ConfigTest, SiteProfileParsed) {
  auto site = ParseSite(R"(
name = "nd"
hosts = ["WWW.Example.CO.KR"]
seeds = ["https://www.example.co.kr/"]
article_pattern = "articleView\\.html\\?idxno=[0-9]+"
per_host_delay = "3s"
[extract]
body = ["#article-view-content-div"]
drop = [".ad"]
)", "sites/nd.toml");
  ASSERT_TRUE(site.ok()) << site.status().ToString();
  EXPECT_EQ(site->name, "nd");
  EXPECT_EQ(site->hosts[0], "www.example.co.kr");
  EXPECT_EQ(site->per_host_delay_ms, 3000);
  ASSERT_EQ(site->extract.body.size(), 1u);
  EXPECT_EQ(site->extract.drop[0], ".ad");
}

TEST(ConfigTest, SiteErrors) {
  auto bad_regex = ParseSite("hosts=[\"a\"]\nseeds=[\"http://a/\"]\ndeny = [\"(unclosed\"]\n", "s.toml");
  ASSERT_FALSE(bad_regex.ok());
  EXPECT_NE(bad_regex.status().message().find("s.toml:3: key 'deny': invalid regular expression"),
            std::string::npos)
      << bad_regex.status().message();
  auto no_hosts = ParseSite("seeds=[\"http://a/\"]\n", "s.toml");
  ASSERT_FALSE(no_hosts.ok());
  EXPECT_NE(no_hosts.status().message().find("'hosts'"), std::string::npos);
  auto bad_extract = ParseSite("hosts=[\"a\"]\nseeds=[\"http://a/\"]\n[extract]\nbodyy=[\"p\"]\n", "s.toml");
  ASSERT_FALSE(bad_extract.ok());
  EXPECT_NE(bad_extract.status().message().find("s.toml:4: key 'extract.bodyy': unknown key"),
            std::string::npos)
      << bad_extract.status().message();
}

TEST(ConfigTest, LoadConfigReadsSitesDirAndReportsBrokenSiteFile) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "sites");
  WriteFile(dir.Sub("main.toml"), "[crawl]\nconcurrency = 4\n");
  WriteFile(dir.Sub("sites/a.toml"), "hosts=[\"a.test\"]\nseeds=[\"http://a.test/\"]\n");
  auto ok = LoadConfig(dir.Sub("main.toml"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->sites.size(), 1u);
  EXPECT_EQ(ok->sites[0].name, "a");

  WriteFile(dir.Sub("sites/b.toml"), "hosts=[\"b.test\"]\nseeds=\"http://b.test/\"\n");
  auto broken = LoadConfig(dir.Sub("main.toml"));
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("b.toml:2: key 'seeds': expected an array"), std::string::npos)
      << broken.status().message();

  auto missing = LoadConfig(dir.Sub("nope.toml"));
  EXPECT_TRUE(missing.status().IsNotFound());
}

TEST(ConfigTest, ByteSizes) {
  int64_t b = 0;
  ASSERT_TRUE(ParseByteSize("16MB", &b));
  EXPECT_EQ(b, 16 << 20);
  ASSERT_TRUE(ParseByteSize("512k", &b));
  EXPECT_EQ(b, 512 << 10);
  EXPECT_FALSE(ParseByteSize("MB", &b));
  EXPECT_FALSE(ParseByteSize("0", &b));
  EXPECT_FALSE(ParseByteSize("3 parsecs", &b));
}

}  // namespace
}  // namespace jikji::config
