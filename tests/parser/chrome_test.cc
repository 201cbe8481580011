#include "parser/internal/chrome.h"

#include <gtest/gtest.h>

#include <string>

namespace jikji::parser::internal {
namespace {

std::string Flags(const ClassHints& h) {
  std::string s;
  if (h.strong_positive) s += "S";
  if (h.weak_positive) s += "W";
  if (h.negative) s += "N";
  if (h.hidden) s += "H";
  if (h.caption) s += "C";
  if (h.image) s += "I";
  if (h.deck) s += "D";
  return s;
}

// Each hint from a class, an id, or both; substrings vs whole tokens;
// case; the hidden classes from the class alone.
TEST(ClassHints, FromClassIdOrBoth) {
  struct Case {
    const char* cls;
    const char* id;
    const char* flags;
  };
  const Case cases[] = {
      {"", "", ""},
      {"article_body", "", "SW"},           // "body" and "article"
      {"", "articleBody", "SW"},            // from the id, any case
      {"ArticleBody", "", "SW"},
      {"news_view", "", "SW"},              // "news_view" and "news"
      {"gnb-wrap", "", "N"},                // substring "gnb"
      {"adhesive", "", ""},                 // "ad" is a whole token only
      {"box ad", "", "N"},                  // ... as here
      {"", "top", "N"},                     // a token from the id
      {"photo_desc", "", "CI"},             // caption and image
      {"imgcredit", "", "I"},               // "credit" is no whole token here
      {"img_credit", "", "CI"},             // ... here it is (split on "_")
      {"sub_tit", "", "D"},
      {"blind", "", "H"},                   // hidden class
      {"", "blind", ""},                    // not from an id
      {"x\tsr-only", "", "H"},              // tab-separated class tokens
      {"hidden-xs", "", ""},                // a class token must match whole
      {"con", "tent", ""},                  // no needle across class and id
      {"story", "comment-1234", "SN"},      // one from each
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Flags(HintsForClassId(c.cls, c.id)), c.flags) << c.cls << " / " << c.id;
    // Remembered values give the same answer the second time.
    EXPECT_EQ(Flags(HintsForClassId(c.cls, c.id)), c.flags) << c.cls << " / " << c.id;
  }
  // The same string as a class and as an id differs only by hidden.
  EXPECT_EQ(Flags(HintsForClassId("blind", "")), "H");
  EXPECT_EQ(Flags(HintsForClassId("", "blind")), "");
}

}  // namespace
}  // namespace jikji::parser::internal
