// Scope: which URLs a crawl may fetch, from the configured sites' hosts and
// their allow/deny URL patterns. Private to crawler/.
//
// Thread safety: immutable after construction; safe to share.
#ifndef JIKJI_CRAWLER_INTERNAL_SCOPE_H_
#define JIKJI_CRAWLER_INTERNAL_SCOPE_H_

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "crawler/frontier.h"

namespace jikji::crawler::internal {

class Scope {
 public:
  enum class Verdict {
    kIn,
    kNoSite,      // host belongs to no configured site
    kDenied,      // matches a deny pattern
    kNotAllowed,  // the site has allow patterns and none matches
    kAsset,       // a page link to an image, style sheet, archive, video...
  };

  // REQUIRES: the sites' patterns compile (config/ validated them).
  explicit Scope(const std::vector<config::SiteConfig>& sites);

  // The site owning `host` (lower case, no port), or -1.
  int SiteForHost(std::string_view host) const;

  // Judges a normalized URL of host `host`; sets *site when the host is known.
  // Feeds and sitemaps skip the allow patterns (they are entry points) but
  // not the deny patterns.
  Verdict Check(std::string_view host, const std::string& url, std::string_view path, UrlKind kind,
                int* site) const;

  // Whether `url` matches the site's article_pattern (false without one).
  bool IsArticleUrl(int site, const std::string& url) const;

 private:
  struct SitePatterns {
    std::vector<std::regex> allow;
    std::vector<std::regex> deny;
    std::optional<std::regex> article;
  };
  std::unordered_map<std::string, int> site_of_host_;
  std::vector<SitePatterns> patterns_;
};

// True when a URL path names a file that is not a web page (by extension).
bool LooksLikeAsset(std::string_view path);

}  // namespace jikji::crawler::internal

#endif  // JIKJI_CRAWLER_INTERNAL_SCOPE_H_
