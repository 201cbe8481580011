// robots.txt per RFC 9309: parse once, match many.
//
// Parsing is tolerant (any bytes accepted, junk lines skipped); matching is
// longest-match with Allow winning ties, '*' and '$' wildcards, and
// percent-encoding compared in a canonical form. Only the first 500 KiB of
// a file are read (RFC 9309 section 2.5).
//
// Thread safety: an immutable RobotsRules may be shared by many threads.
#ifndef JIKJI_CRAWLER_ROBOTS_H_
#define JIKJI_CRAWLER_ROBOTS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jikji::crawler {

inline constexpr size_t kMaxRobotsBytes = 500 * 1024;

class RobotsRules {
 public:
  // Rules from a robots.txt body (bytes beyond kMaxRobotsBytes ignored).
  static RobotsRules Parse(std::string_view body);
  // What RFC 9309 says to do without a usable file: 4xx means allow all;
  // 5xx or unreachable means disallow all.
  static RobotsRules AllowAll();
  static RobotsRules DisallowAll();

  // Whether `agent` (the product token, e.g. "Jikji"; matched
  // case-insensitively against the groups) may fetch `path_and_query`
  // (e.g. "/news/1.html?x=1"; a full URL is also accepted: its path and
  // query are used).
  bool IsAllowed(std::string_view agent, std::string_view path_and_query) const;

  // Crawl-delay in seconds for the group that applies to `agent`, if set.
  std::optional<double> CrawlDelay(std::string_view agent) const;

  // "Sitemap:" URLs, in file order.
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }

 private:
  struct Rule {
    bool allow;
    std::string pattern;  // canonical percent-encoding
  };
  struct Group {
    std::vector<std::string> agents;  // lower case; "*" for the wildcard group
    std::vector<Rule> rules;
    std::optional<double> crawl_delay;
  };
  const Group* GroupFor(std::string_view agent) const;
  // Merged rules of all groups naming `agent` (RFC 9309 2.2.1), or of '*'.
  std::vector<const Group*> GroupsFor(std::string_view agent) const;

  std::vector<Group> groups_;
  std::vector<std::string> sitemaps_;
  bool disallow_all_ = false;
};

}  // namespace jikji::crawler

#endif  // JIKJI_CRAWLER_ROBOTS_H_
