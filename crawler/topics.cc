#include "crawler/topics.h"

#include <algorithm>

#include "common/ascii.h"

namespace jikji::crawler {
namespace {

constexpr int kMaxOccurrences = 5;


int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a URL so that Korean path words can match.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

TopicModel::TopicModel(const std::vector<config::Topic>& topics) {
  for (const auto& t : topics) {
    if (!t.term.empty() && t.weight > 0) terms_.push_back({AsciiLower(t.term), t.weight});
  }
}

double TopicModel::Hits(std::string_view text) const {
  if (terms_.empty() || text.empty()) return 0;
  std::string lower = AsciiLower(text);
  double score = 0;
  for (const Term& term : terms_) {
    int n = 0;
    for (size_t pos = lower.find(term.text); pos != std::string::npos && n < kMaxOccurrences;
         pos = lower.find(term.text, pos + term.text.size())) {
      ++n;
    }
    score += term.weight * n;
  }
  return score;
}

double TopicModel::Relevance(std::string_view title, std::string_view body) const {
  double s = 3 * Hits(title) + Hits(body);
  return s / (s + 10);
}

uint8_t TopicModel::LinkPriority(std::string_view url, std::string_view anchor_text) const {
  if (terms_.empty()) return 0;
  double s = Hits(anchor_text) + Hits(PercentDecode(url));
  if (s >= 6) return 3;
  if (s >= 3) return 2;
  if (s > 0) return 1;
  return 0;
}

}  // namespace jikji::crawler
