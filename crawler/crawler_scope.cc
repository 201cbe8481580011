#include <algorithm>
#include <array>

#include "crawler/internal/scope.h"

namespace jikji::crawler::internal {

bool LooksLikeAsset(std::string_view path) {
  static constexpr std::array<std::string_view, 38> kExtensions = {
      ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff",
      ".css", ".js", ".mjs", ".json", ".woff", ".woff2", ".ttf", ".otf", ".eot",
      ".pdf", ".zip", ".gz", ".tgz", ".rar", ".7z", ".hwp", ".hwpx", ".doc", ".docx",
      ".xls", ".xlsx", ".ppt", ".pptx", ".mp3", ".mp4", ".avi", ".mov", ".webm"};
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) return false;
  std::string ext(path.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  // Sitemaps are often served as .xml.gz: the crawler decides by kind, so a
  // ".gz" page link is still an asset, but feeds/sitemaps never ask here.
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

Scope::Scope(const std::vector<config::SiteConfig>& sites) {
  patterns_.resize(sites.size());
  for (size_t i = 0; i < sites.size(); ++i) {
    for (const std::string& host : sites[i].hosts) site_of_host_.emplace(host, static_cast<int>(i));
    for (const std::string& p : sites[i].allow) {
      patterns_[i].allow.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
    }
    for (const std::string& p : sites[i].deny) {
      patterns_[i].deny.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
    }
    if (!sites[i].article_pattern.empty()) {
      patterns_[i].article.emplace(sites[i].article_pattern, std::regex::ECMAScript | std::regex::optimize);
    }
  }
}

bool Scope::IsArticleUrl(int site, const std::string& url) const {
  if (site < 0 || static_cast<size_t>(site) >= patterns_.size() || !patterns_[site].article) return false;
  return std::regex_search(url, *patterns_[site].article);
}

int Scope::SiteForHost(std::string_view host) const {
  auto it = site_of_host_.find(std::string(host));
  return it == site_of_host_.end() ? -1 : it->second;
}

Scope::Verdict Scope::Check(std::string_view host, const std::string& url, std::string_view path,
                            UrlKind kind, int* site) const {
  int s = SiteForHost(host);
  *site = s;
  if (s < 0) return Verdict::kNoSite;
  if (kind == UrlKind::kPage && LooksLikeAsset(path)) return Verdict::kAsset;
  const SitePatterns& p = patterns_[s];
  for (const std::regex& re : p.deny) {
    if (std::regex_search(url, re)) return Verdict::kDenied;
  }
  if (kind == UrlKind::kPage && !p.allow.empty()) {
    bool any = false;
    for (const std::regex& re : p.allow) {
      if (std::regex_search(url, re)) {
        any = true;
        break;
      }
    }
    if (!any) return Verdict::kNotAllowed;
  }
  return Verdict::kIn;
}

}  // namespace jikji::crawler::internal
