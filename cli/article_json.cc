#include "cli/article_json.h"

#include "common/clock.h"

namespace jikji::cli {

nlohmann::ordered_json ArticleToJson(const Article& a) {
  nlohmann::ordered_json j;
  j["url"] = a.url;
  j["is_article"] = a.is_article;
  j["title"] = a.title;
  j["authors"] = a.authors;
  j["published"] = a.published;
  j["modified"] = a.modified;
  j["site_name"] = a.site_name;
  j["section"] = a.section;
  j["canonical_url"] = a.canonical_url;
  j["language"] = a.language;
  j["description"] = a.description;
  j["lead_image"] = a.lead_image;
  j["body"] = a.body;
  j["captions"] = a.captions;
  j["charset"] = a.charset;
  j["diagnostics"] = a.diagnostics;
  return j;
}

nlohmann::ordered_json RecordToJson(const storage::ArticleRecord& r) {
  const Article& a = r.article;
  nlohmann::ordered_json j;
  j["url"] = r.url;
  j["canonical_url"] = a.canonical_url;
  j["site"] = r.site;
  j["title"] = a.title;
  j["authors"] = a.authors;
  j["published"] = a.published;
  j["modified"] = a.modified;
  j["fetched"] = FormatIsoUtc(r.fetched_micros);
  j["version"] = r.version;
  j["content_hash"] = r.content_hash;
  j["duplicate_of"] = r.duplicate_of.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.duplicate_of);
  j["near_duplicate_of"] =
      r.near_duplicate_of.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.near_duplicate_of);
  j["relevance"] = r.relevance;
  j["section"] = a.section;
  j["site_name"] = a.site_name;
  j["language"] = a.language;
  j["description"] = a.description;
  j["extractor_version"] = r.extractor_version;
  j["body"] = a.body;
  return j;
}

}  // namespace jikji::cli
