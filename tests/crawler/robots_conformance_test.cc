// robots.txt conformance over ../shared/conformance/robots (see its
// README.md): every allow/disallow case of cases.jsonl must pass, plus the
// path extraction and the sitemap counts of parse_cases.jsonl.
//
// Policy on conflicts: where RFC 9309 and Google's matcher disagree
// (google_diverges), we follow the RFC, as the expected values do. One
// Google case asserts the opposite of such an RFC case on the same input;
// it is listed in kFollowRfcInstead and checked for the RFC answer.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "crawler/robots.h"
#include "tests/testing/paths.h"

namespace jikji::crawler {
namespace {

using nlohmann::json;

// Google case id -> the RFC case whose answer we give instead.
const std::map<std::string, std::string> kFollowRfcInstead = {
    // "allow: /foo/bar/%62%61%7A" vs URL /foo/bar/baz: Google says false,
    // RFC 9309 Figure 4 says %62%61%7A is "baz" (rfc9309-169).
    {"google-066", "rfc9309-169"},
};

std::vector<json> ReadJsonl(const std::filesystem::path& path) {
  std::vector<json> out;
  std::istringstream in(testing::ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

std::string Base64Decode(const std::string& in) {
  static const std::string kChars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    size_t pos = kChars.find(c);
    if (pos == std::string::npos) continue;
    val = (val << 6) + static_cast<int>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::string Body(const json& t) {
  if (t.contains("robots_b64")) return Base64Decode(t["robots_b64"]);
  return t.value("robots", "");
}

TEST(RobotsConformanceTest, AllowDisallowCases) {
  JIKJI_REQUIRE_SHARED(shared);
  auto cases = ReadJsonl(shared / "conformance/robots/cases.jsonl");
  ASSERT_GE(cases.size(), 214u);
  int pass = 0, google = 0, rfc = 0, overridden = 0;
  std::map<std::string, bool> expected_by_id;
  for (const json& t : cases) expected_by_id[t["id"]] = t["allowed"];
  for (const json& t : cases) {
    const std::string id = t["id"];
    bool expected = t["allowed"];
    if (auto it = kFollowRfcInstead.find(id); it != kFollowRfcInstead.end()) {
      ASSERT_TRUE(expected_by_id.count(it->second)) << it->second;
      expected = expected_by_id[it->second];
      ASSERT_NE(expected, t["allowed"].get<bool>()) << id << " no longer conflicts; drop it";
      ++overridden;
    }
    auto rules = RobotsRules::Parse(Body(t));
    bool got = rules.IsAllowed(t["user_agent"].get<std::string>(), t["url"].get<std::string>());
    EXPECT_EQ(got, expected) << id << " (" << t.value("test", "") << "): " << t.value("note", "")
                             << "\nurl: " << t["url"] << " agent: " << t["user_agent"];
    if (got == expected) {
      ++pass;
      (t["source"] == "google" ? google : rfc)++;
    }
  }
  std::cout << "robots cases.jsonl: " << pass << "/" << cases.size() << " pass (google " << google
            << ", rfc9309 " << rfc << "; " << overridden
            << " Google case(s) judged by the RFC instead)\n";
  EXPECT_EQ(overridden, static_cast<int>(kFollowRfcInstead.size()));
}

// path_cases.jsonl: the matched part of a URL. Checked through the public
// API: "allow: <expected>$" under "disallow: /" allows the URL exactly when
// its path+params+query is <expected>.
TEST(RobotsConformanceTest, PathParamsQuery) {
  JIKJI_REQUIRE_SHARED(shared);
  int run = 0;
  for (const json& t : ReadJsonl(shared / "conformance/robots/path_cases.jsonl")) {
    if (!t.contains("url")) continue;
    ++run;
    std::string expected = t["path_params_query"];
    std::string url = t["url"];
    if (expected == "/robots.txt") continue;  // always allowed anyway
    auto exact = RobotsRules::Parse("user-agent: *\ndisallow: /\nallow: " + expected + "$\n");
    EXPECT_TRUE(exact.IsAllowed("FooBot", url)) << url << " should match " << expected;
    auto longer = RobotsRules::Parse("user-agent: *\ndisallow: /\nallow: " + expected + "x\n");
    EXPECT_FALSE(longer.IsAllowed("FooBot", url)) << url;
  }
  EXPECT_GE(run, 19);
}

// parse_cases.jsonl: we expose sitemaps(), so check the sitemap counts and
// that parsing odd line endings and BOMs never loses the rules.
TEST(RobotsConformanceTest, ParseCasesSitemaps) {
  JIKJI_REQUIRE_SHARED(shared);
  int checked = 0;
  for (const json& t : ReadJsonl(shared / "conformance/robots/parse_cases.jsonl")) {
    const json& expect = t["expect"];
    auto rules = RobotsRules::Parse(Body(t));
    if (expect.contains("sitemaps")) {
      ++checked;
      if (expect["sitemaps"].is_array()) {
        std::vector<std::string> want = expect["sitemaps"];
        EXPECT_EQ(rules.sitemaps(), want) << t.value("note", "");
      } else {
        EXPECT_EQ(rules.sitemaps().size(), expect["sitemaps"].get<size_t>()) << t.value("note", "");
      }
    }
  }
  std::cout << "parse_cases with sitemap expectations: " << checked << "\n";
}

}  // namespace
}  // namespace jikji::crawler
