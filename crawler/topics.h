// TopicModel: how relevant a link or an article is to the archive's topics
// (config/topics.toml: Korean and English tech-policy terms with weights).
//
// Matching is substring matching: Korean attaches particles to nouns
// (인공지능의, 반도체를), so a term matches inside a longer word; ASCII is
// compared case-insensitively. Scores:
//   hits(text)     = sum over terms of weight * min(occurrences, 5)
//   Relevance      = s / (s + 10) with s = 3 * hits(title) + hits(body): 0 for
//                    nothing, 0.5 for a page with ten weight-1 mentions, -> 1.
//   LinkPriority   = 0..3 from hits(anchor text) + hits(decoded URL):
//                    0 none, 1 some, 2 >= 3, 3 >= 6.
//
// Thread safety: immutable after construction; share freely.
#ifndef JIKJI_CRAWLER_TOPICS_H_
#define JIKJI_CRAWLER_TOPICS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace jikji::crawler {

class TopicModel {
 public:
  explicit TopicModel(const std::vector<config::Topic>& topics);

  bool empty() const { return terms_.empty(); }
  double Hits(std::string_view text) const;
  double Relevance(std::string_view title, std::string_view body) const;
  uint8_t LinkPriority(std::string_view url, std::string_view anchor_text) const;

 private:
  struct Term {
    std::string text;  // ASCII lower-cased
    double weight;
  };
  std::vector<Term> terms_;
};

}  // namespace jikji::crawler

#endif  // JIKJI_CRAWLER_TOPICS_H_
