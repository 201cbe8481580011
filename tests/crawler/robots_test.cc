#include "crawler/robots.h"

#include <gtest/gtest.h>

#include <string>

namespace jikji::crawler {
namespace {

bool Allowed(const std::string& robots, const std::string& agent, const std::string& url) {
  return RobotsRules::Parse(robots).IsAllowed(agent, url);
}

TEST(RobotsTest, EmptyFileAllowsEverything) {
  EXPECT_TRUE(Allowed("", "Jikji", "/anything"));
  EXPECT_TRUE(RobotsRules::AllowAll().IsAllowed("Jikji", "/x"));
}

TEST(RobotsTest, DisallowAllExceptRobotsTxt) {
  auto rules = RobotsRules::DisallowAll();
  EXPECT_FALSE(rules.IsAllowed("Jikji", "/x"));
  EXPECT_FALSE(rules.IsAllowed("Jikji", "https://a.kr/"));
  EXPECT_TRUE(rules.IsAllowed("Jikji", "/robots.txt"));
}

TEST(RobotsTest, SpecificGroupBeatsWildcard) {
  const std::string robots =
      "User-agent: *\nDisallow: /\n\nUser-agent: Jikji\nDisallow: /private/\n";
  EXPECT_TRUE(Allowed(robots, "Jikji", "/news/1"));
  EXPECT_FALSE(Allowed(robots, "Jikji", "/private/x"));
  EXPECT_FALSE(Allowed(robots, "OtherBot", "/news/1"));
}

TEST(RobotsTest, AgentMatchIsCaseInsensitiveProductToken) {
  const std::string robots = "User-agent: jikji/1.0 (+https://example.kr)\nDisallow: /x\n";
  EXPECT_FALSE(Allowed(robots, "Jikji", "/x"));
  EXPECT_FALSE(Allowed(robots, "JIKJI", "/x/y"));
  EXPECT_TRUE(Allowed(robots, "Jikjibot", "/x"));
}

TEST(RobotsTest, GroupsForTheSameAgentMerge) {
  const std::string robots =
      "user-agent: Jikji\ndisallow: /a\n\nuser-agent: other\ndisallow: /\n\n"
      "user-agent: Jikji\ndisallow: /b\n";
  EXPECT_FALSE(Allowed(robots, "Jikji", "/a"));
  EXPECT_FALSE(Allowed(robots, "Jikji", "/b"));
  EXPECT_TRUE(Allowed(robots, "Jikji", "/c"));
}

TEST(RobotsTest, ConsecutiveUserAgentsShareAGroup) {
  const std::string robots = "user-agent: a\nuser-agent: Jikji\ndisallow: /x\n";
  EXPECT_FALSE(Allowed(robots, "Jikji", "/x"));
  EXPECT_FALSE(Allowed(robots, "a", "/x"));
}

TEST(RobotsTest, LongestMatchAndAllowWinsTies) {
  const std::string robots = "user-agent: *\ndisallow: /news/\nallow: /news/view\n";
  EXPECT_TRUE(Allowed(robots, "Jikji", "/news/view?id=1"));
  EXPECT_FALSE(Allowed(robots, "Jikji", "/news/list"));
  EXPECT_TRUE(Allowed("user-agent: *\ndisallow: /a\nallow: /a\n", "Jikji", "/a"));
}

TEST(RobotsTest, Wildcards) {
  const std::string robots = "user-agent: *\ndisallow: /*.pdf$\ndisallow: /*?print=\n";
  EXPECT_FALSE(Allowed(robots, "Jikji", "/files/report.pdf"));
  EXPECT_TRUE(Allowed(robots, "Jikji", "/files/report.pdf?x=1"));
  EXPECT_FALSE(Allowed(robots, "Jikji", "/news/1?print=yes"));
  EXPECT_TRUE(Allowed(robots, "Jikji", "/news/1?page=2"));
}

TEST(RobotsTest, PercentEncodingCanonicalForm) {
  // Hangul in a rule is compared as UTF-8 percent-encoding.
  const std::string robots = "user-agent: *\ndisallow: /정책/\n";
  EXPECT_FALSE(Allowed(robots, "Jikji", "/%EC%A0%95%EC%B1%85/1"));
  EXPECT_FALSE(Allowed(robots, "Jikji", "/%ec%a0%95%ec%b1%85/1"));
  EXPECT_TRUE(Allowed(robots, "Jikji", "/%EC%A0%95/1"));
  // URLs must come percent-encoded (as the URL parser serializes them).
  EXPECT_TRUE(Allowed(robots, "Jikji", "/정책/1"));
  // Unreserved escapes are decoded on both sides; %2F stays distinct.
  EXPECT_FALSE(Allowed("user-agent: *\ndisallow: /%7Euser\n", "Jikji", "/~user/x"));
  EXPECT_TRUE(Allowed("user-agent: *\ndisallow: /a%2Fb\n", "Jikji", "/a/b"));
}

TEST(RobotsTest, FullUrlsAreReducedToPathAndQuery) {
  const std::string robots = "user-agent: *\ndisallow: /search\n";
  EXPECT_FALSE(Allowed(robots, "Jikji", "https://www.etnews.com/search?q=ai#top"));
  EXPECT_TRUE(Allowed(robots, "Jikji", "https://www.etnews.com/news#/search"));
}

TEST(RobotsTest, TolerantOfJunk) {
  const std::string robots =
      "\xEF\xBB\xBFUser-agent: *\r\n"
      "<html>garbage line here</html>\r\n"
      "Disallow /nocolon\r\n"
      "Crawl-delay: 2.5\r\n"
      "Disallow: /x # trailing comment\r\n"
      "Sitemap: https://a.kr/sitemap.xml";
  auto rules = RobotsRules::Parse(robots);
  EXPECT_FALSE(rules.IsAllowed("Jikji", "/nocolon"));
  EXPECT_FALSE(rules.IsAllowed("Jikji", "/x"));
  EXPECT_TRUE(rules.IsAllowed("Jikji", "/y"));
  ASSERT_TRUE(rules.CrawlDelay("Jikji").has_value());
  EXPECT_DOUBLE_EQ(*rules.CrawlDelay("Jikji"), 2.5);
  ASSERT_EQ(rules.sitemaps().size(), 1u);
  EXPECT_EQ(rules.sitemaps()[0], "https://a.kr/sitemap.xml");
}

TEST(RobotsTest, RulesBeforeAnyUserAgentAreIgnored) {
  EXPECT_TRUE(Allowed("disallow: /\nuser-agent: *\nallow: /x\n", "Jikji", "/y"));
}

TEST(RobotsTest, CrawlDelayPerGroup) {
  auto rules = RobotsRules::Parse(
      "user-agent: *\ncrawl-delay: 10\n\nuser-agent: Jikji\ncrawl-delay: 1\ndisallow:\n");
  EXPECT_EQ(rules.CrawlDelay("Jikji"), 1.0);
  EXPECT_EQ(rules.CrawlDelay("other"), 10.0);
  EXPECT_FALSE(RobotsRules::Parse("user-agent: *\ncrawl-delay: soon\n").CrawlDelay("x"));
}

TEST(RobotsTest, SitemapsInFileOrderAnywhere) {
  auto rules = RobotsRules::Parse(
      "Sitemap: https://a.kr/1.xml\nuser-agent: *\nsitemap: https://a.kr/2.xml\n"
      "disallow: /\nSITEMAP:https://a.kr/3.xml\n");
  ASSERT_EQ(rules.sitemaps().size(), 3u);
  EXPECT_EQ(rules.sitemaps()[0], "https://a.kr/1.xml");
  EXPECT_EQ(rules.sitemaps()[2], "https://a.kr/3.xml");
  // A sitemap line does not end a group.
  EXPECT_FALSE(Allowed("user-agent: a\nsitemap: https://a.kr/s.xml\nuser-agent: b\n"
                       "disallow: /\n",
                       "a", "/x"));
}

TEST(RobotsTest, BytesBeyondLimitAreIgnored) {
  std::string robots = "user-agent: *\n";
  std::string filler = "# " + std::string(78, 'x') + "\n";
  while (robots.size() <= kMaxRobotsBytes) robots += filler;
  robots += "disallow: /late\n";  // starts beyond the 500 KiB mark
  ASSERT_GT(robots.size(), kMaxRobotsBytes);
  EXPECT_TRUE(Allowed(robots, "Jikji", "/late"));
  std::string early = "user-agent: *\ndisallow: /early\n" + robots.substr(30);
  EXPECT_FALSE(Allowed(early, "Jikji", "/early"));
}

TEST(RobotsTest, IndexHtmlAllowsItsDirectory) {
  const std::string robots = "user-agent: *\nallow: /a/index.html\ndisallow: /\n";
  EXPECT_TRUE(Allowed(robots, "Jikji", "/a/"));
  EXPECT_FALSE(Allowed(robots, "Jikji", "/a/other"));
}

}  // namespace
}  // namespace jikji::crawler
