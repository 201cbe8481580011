#include "common/ascii.h"

#include <gtest/gtest.h>

#include <string>

namespace jikji {
namespace {

TEST(AsciiTest, LowerChangesOnlyAsciiCapitals) {
  EXPECT_EQ(AsciiLower("Content-Type: TEXT/HTML; Charset=EUC-KR"), "content-type: text/html; charset=euc-kr");
  // Hangul, Latin-1 capitals in UTF-8 and bytes above 0x7F stay as they are.
  EXPECT_EQ(AsciiLower("인공지능 AI 기본법 ÀÉ"), "인공지능 ai 기본법 ÀÉ");
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  const std::string lower = AsciiLower(all);
  for (int c = 0; c < 256; ++c) {
    const int want = (c >= 'A' && c <= 'Z') ? c + 32 : c;
    EXPECT_EQ(static_cast<unsigned char>(lower[c]), want) << c;
  }
  static_assert(AsciiLower('Q') == 'q' && AsciiLower('@') == '@' && AsciiLower('[') == '[');
}

TEST(AsciiTest, EqualsIgnoreCase) {
  EXPECT_TRUE(AsciiEqualsIgnoreCase("Retry-After", "retry-after"));
  EXPECT_TRUE(AsciiEqualsIgnoreCase("", ""));
  EXPECT_FALSE(AsciiEqualsIgnoreCase("Retry-After", "retry-afte"));
  EXPECT_FALSE(AsciiEqualsIgnoreCase("ÀB", "àb"));  // only ASCII folds
  EXPECT_FALSE(AsciiEqualsIgnoreCase("@", "`"));    // 0x40 and 0x60 are not a case pair
}

}  // namespace
}  // namespace jikji
