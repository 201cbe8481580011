#include "parser/internal/jsonld.h"

#include <nlohmann/json.hpp>

namespace jikji::parser::internal {
namespace {

using nlohmann::json;

// Nesting of @graph / arrays visited at most.
constexpr int kMaxJsonDepth = 8;

bool IsArticleType(const std::string& t) {
  static constexpr std::string_view kTypes[] = {
      "Article",          "NewsArticle",   "BlogPosting",       "ReportageNews",
      "AnalysisNewsArticle", "OpinionNewsArticle", "ReviewNewsArticle", "BackgroundNewsArticle",
      "TechArticle",      "ScholarlyArticle", "Report",          "LiveBlogPosting",
      "SocialMediaPosting", "DiscussionForumPosting", "SatiricalArticle", "AdvertiserContentArticle"};
  for (std::string_view k : kTypes) {
    if (t == k) return true;
  }
  return false;
}

std::string Str(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return "";
}

// A string, or the "name"/"url"/"@id" of an object, or the first of an array.
std::string StrOrField(const json& v, const char* field) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object()) {
    auto it = v.find(field);
    if (it != v.end()) return StrOrField(*it, field);
  }
  if (v.is_array() && !v.empty()) return StrOrField(v.front(), field);
  return "";
}

void SetIfEmpty(std::string* dst, std::string value) {
  if (dst->empty()) *dst = std::move(value);
}

void Visit(const json& v, JsonLdArticle* out, int depth) {
  if (depth > kMaxJsonDepth) return;
  if (v.is_array()) {
    for (const json& e : v) Visit(e, out, depth + 1);
    return;
  }
  if (!v.is_object()) return;
  if (auto g = v.find("@graph"); g != v.end()) Visit(*g, out, depth + 1);
  bool article = false;
  std::string type;
  if (auto t = v.find("@type"); t != v.end()) {
    if (t->is_string()) {
      type = t->get<std::string>();
      article = IsArticleType(type);
    } else if (t->is_array()) {
      for (const json& e : *t) {
        if (e.is_string() && IsArticleType(e.get<std::string>())) {
          type = e.get<std::string>();
          article = true;
        }
      }
    }
  }
  if (!article) {
    // WebPage { mainEntity: NewsArticle }
    if (auto m = v.find("mainEntity"); m != v.end()) Visit(*m, out, depth + 1);
    return;
  }
  out->found = true;
  SetIfEmpty(&out->type, type);
  if (auto it = v.find("headline"); it != v.end()) SetIfEmpty(&out->headline, Str(*it));
  if (auto it = v.find("name"); it != v.end() && out->headline.empty()) {
    SetIfEmpty(&out->headline, Str(*it));
  }
  if (auto it = v.find("datePublished"); it != v.end()) SetIfEmpty(&out->date_published, Str(*it));
  if (auto it = v.find("dateCreated"); it != v.end()) SetIfEmpty(&out->date_published, Str(*it));
  if (auto it = v.find("dateModified"); it != v.end()) SetIfEmpty(&out->date_modified, Str(*it));
  if (auto it = v.find("articleSection"); it != v.end()) SetIfEmpty(&out->section, StrOrField(*it, "name"));
  if (auto it = v.find("description"); it != v.end()) SetIfEmpty(&out->description, Str(*it));
  if (auto it = v.find("image"); it != v.end()) SetIfEmpty(&out->image, StrOrField(*it, "url"));
  if (auto it = v.find("publisher"); it != v.end()) SetIfEmpty(&out->publisher, StrOrField(*it, "name"));
  if (auto it = v.find("mainEntityOfPage"); it != v.end()) SetIfEmpty(&out->url, StrOrField(*it, "@id"));
  if (auto it = v.find("url"); it != v.end()) SetIfEmpty(&out->url, Str(*it));
  if (out->authors.empty()) {
    if (auto it = v.find("author"); it != v.end()) {
      const json& a = *it;
      if (a.is_array()) {
        for (const json& e : a) {
          std::string n = StrOrField(e, "name");
          if (!n.empty()) out->authors.push_back(n);
        }
      } else {
        std::string n = StrOrField(a, "name");
        if (!n.empty()) out->authors.push_back(n);
      }
    }
  }
}

}  // namespace

bool ParseJsonLd(std::string_view text, JsonLdArticle* out) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return false;
  Visit(doc, out, 0);
  return true;
}

}  // namespace jikji::parser::internal
