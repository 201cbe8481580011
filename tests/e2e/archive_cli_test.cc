// End to end over the archive commands: crawl the fixture site, then
// export (filters, aliases, versions, change-feed cursor, WARC + CDXJ),
// get, verify, backup and rebuild with the real `jikji` binary.
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
#include "tests/warc/warc_reader.h"

namespace jikji {
namespace {

using ::jikji::testing::CommandResult;
using ::jikji::testing::ReadFile;
using ::jikji::testing::TempDir;
using json = nlohmann::json;

using ::jikji::testing::FixtureSite;
using ::jikji::testing::Jikji;
using ::jikji::testing::ParseLines;
class ArchiveCliTest : public ::testing::Test {
 protected:
  void Crawl() {
    std::string port = std::to_string(site_.port());
    CommandResult r = Jikji({"crawl", "--archive", archive_, "--seed", "http://news-a.test:" + port + "/",
                             "--seed", "http://news-b.test:" + port + "/", "--resolve",
                             "news-a.test:" + port + ":127.0.0.1", "--resolve",
                             "news-b.test:" + port + ":127.0.0.1", "--per-host-delay", "0",
                             "--concurrency", "4", "--log-level", "warn"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::vector<json> Export(std::vector<std::string> extra, std::string* err = nullptr) {
    std::vector<std::string> args = {"export", "--archive", archive_};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult r = Jikji(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (err != nullptr) *err = r.err;
    return ParseLines(r.out);
  }

  FixtureSite site_;
  TempDir tmp_;
  std::string archive_ = tmp_.Sub("archive");
};

TEST_F(ArchiveCliTest, ExportFiltersAliasesCursorAndWarc) {
  ASSERT_NO_FATAL_FAILURE(Crawl());
  const json& dup = site_.expected()["duplicates"][0];
  std::vector<json> latest = Export({});
  ASSERT_FALSE(latest.empty());
  // The copy stored first holds the text; the other becomes its alias.
  // Which one is first depends on the crawl's timing.
  std::string alias = site_.Url(dup["url"]);
  std::string target = site_.Url(dup["duplicate_of"]);
  for (const json& row : latest) {
    if (row["url"] == alias) std::swap(alias, target);
  }
  for (const json& row : latest) {
    for (const char* field : {"url", "canonical_url", "site", "title", "authors", "published",
                              "modified", "fetched", "version", "content_hash", "duplicate_of",
                              "near_duplicate_of", "relevance", "body"}) {
      EXPECT_TRUE(row.contains(field)) << field;
    }
    EXPECT_NE(row["url"], alias);
  }
  std::vector<json> with_aliases = Export({"--include-aliases"});
  ASSERT_EQ(with_aliases.size(), latest.size() + 1);
  bool saw_alias = false;
  for (const json& row : with_aliases) {
    if (row["url"] == alias) {
      saw_alias = true;
      EXPECT_EQ(row["duplicate_of"], target);
    }
  }
  EXPECT_TRUE(saw_alias);

  // Site filter: only news-b.test rows.
  std::vector<json> only_b = Export({"--site", "news-b.test"});
  ASSERT_FALSE(only_b.empty());
  EXPECT_LT(only_b.size(), latest.size());
  for (const json& row : only_b) EXPECT_EQ(row["site"], "news-b.test");
  // Time filters: everything was fetched after 2020 and before 2100.
  EXPECT_EQ(Export({"--since", "2020-01-01"}).size(), latest.size());
  EXPECT_TRUE(Export({"--until", "2020-01-01"}).empty());
  EXPECT_TRUE(Export({"--min-relevance", "1000"}).empty());
  EXPECT_EQ(Export({"--all-versions"}).size(), latest.size());  // one crawl: one version each
  size_t published_2000s =
      Export({"--time-field", "published", "--since", "2000-01-01", "--until", "2100-01-01"}).size();
  size_t with_date = 0;
  for (const json& row : latest) with_date += row["published"].get<std::string>().empty() ? 0 : 1;
  EXPECT_EQ(published_2000s, with_date);

  // Change feed: from 0 everything; from the printed cursor nothing.
  std::string err;
  std::vector<json> feed = Export({"--changed-since", "0"}, &err);
  EXPECT_EQ(feed.size(), latest.size());
  const size_t at = err.find("next cursor: ");
  ASSERT_NE(at, std::string::npos) << err;
  const std::string cursor = err.substr(at + 13, err.find('\n', at) - at - 13);
  EXPECT_TRUE(Export({"--changed-since", cursor}).empty());
  EXPECT_TRUE(Export({"--changed-since", cursor, "--cursor-out", tmp_.Sub("cursor")}).empty());
  EXPECT_EQ(ReadFile(tmp_.Sub("cursor")), cursor + "\n");
  CommandResult bad = Jikji({"export", "--archive", archive_, "--since", "yesterday"});
  EXPECT_EQ(bad.exit_code, 2);

  // WARC + CDXJ: every record parses; each CDXJ line points at a response.
  CommandResult warc = Jikji({"export", "--archive", archive_, "--format", "warc", "--out",
                              tmp_.Sub("out.warc.gz")});
  ASSERT_EQ(warc.exit_code, 0) << warc.err;
  const std::string data = ReadFile(tmp_.Sub("out.warc.gz"));
  testing::ReadResult read = testing::ReadWarc(data);
  ASSERT_EQ(read.error, "");
  std::map<uint64_t, const testing::ReadRecord*> by_offset;
  std::map<std::string, int> types;
  for (const auto& r : read.records) {
    by_offset[r.offset] = &r;
    ++types[r.type];
  }
  EXPECT_EQ(types["warcinfo"], 1);
  EXPECT_GT(types["response"], 0);
  EXPECT_EQ(types["request"], types["response"] + types["revisit"]);
  EXPECT_EQ(types["metadata"], types["request"]);
  std::ifstream cdxj(tmp_.Sub("out.cdxj"));
  std::string line, previous;
  int lines = 0;
  while (std::getline(cdxj, line)) {
    ++lines;
    EXPECT_LE(previous, line);  // sorted
    previous = line;
    json j = json::parse(line.substr(line.find('{')));
    const uint64_t offset = std::stoull(j["offset"].get<std::string>());
    ASSERT_TRUE(by_offset.count(offset)) << line;
    const auto* r = by_offset[offset];
    EXPECT_EQ(std::to_string(r->length), j["length"].get<std::string>());
    EXPECT_EQ(r->headers.at("WARC-Target-URI"), j["url"].get<std::string>());
    EXPECT_TRUE(r->type == "response" || r->type == "revisit");
  }
  EXPECT_EQ(lines, types["response"] + types["revisit"]);
}

TEST_F(ArchiveCliTest, GetVerifyBackupAndRebuild) {
  ASSERT_NO_FATAL_FAILURE(Crawl());
  std::vector<json> latest = Export({});
  ASSERT_FALSE(latest.empty());
  const std::string url = latest[0]["url"];

  CommandResult get = Jikji({"get", "--archive", archive_, url});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_NE(get.out.find("=== version 1"), std::string::npos) << get.out;
  EXPECT_NE(get.out.find(latest[0]["title"].get<std::string>()), std::string::npos);
  EXPECT_NE(Jikji({"get", "--archive", archive_, "http://nowhere.test/x"}).exit_code, 0);

  CommandResult verify = Jikji({"verify", "--archive", archive_});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find(": 0 problems"), std::string::npos) << verify.out;

  CommandResult backup = Jikji({"backup", "--archive", archive_, tmp_.Sub("copy")});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  std::vector<json> from_copy;
  {
    CommandResult r = Jikji({"export", "--archive", tmp_.Sub("copy")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    from_copy = ParseLines(r.out);
  }
  EXPECT_EQ(from_copy, latest);
  EXPECT_NE(Jikji({"backup", "--archive", archive_, tmp_.Sub("copy")}).exit_code, 0);

  // The extractor is unchanged since the crawl: rebuild changes nothing,
  // twice (idempotent), and the archive still verifies.
  for (int run = 0; run < 2; ++run) {
    CommandResult rebuild = Jikji({"rebuild", "--archive", archive_, "--workers", "2"});
    ASSERT_EQ(rebuild.exit_code, 0) << rebuild.out << rebuild.err;
    EXPECT_NE(rebuild.out.find(" 0 changed"), std::string::npos) << rebuild.out;
    EXPECT_NE(rebuild.out.find(" pages, "), std::string::npos) << rebuild.out;
    EXPECT_NE(rebuild.out.find(" 0 failed"), std::string::npos) << rebuild.out;
  }
  EXPECT_EQ(Export({}), latest);
  EXPECT_EQ(Jikji({"verify", "--archive", archive_}).exit_code, 0);
}

}  // namespace
}  // namespace jikji
