// parser/internal/text.h and chrome.h: the word-at-a-time and run-at-a-time
// paths against plain byte-by-byte definitions, on random byte strings
// weighted towards white space, Hangul, continuation and invalid bytes.
#include <gtest/gtest.h>

#include <unicode/utf8.h>

#include <random>
#include <string>

#include "parser/internal/chrome.h"
#include "parser/internal/text.h"

namespace jikji::parser {
namespace {

bool IsAsciiSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Code points that are not ASCII white space, one byte at a time.
size_t ReferenceCountChars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80 && !IsAsciiSpace(c)) ++n;
  }
  return n;
}

// White space (ASCII, NBSP, U+2000-U+200B, U+202F, U+205F, U+3000) collapsed
// to one space between words, BOM/ZWNBSP (U+FEFF) dropped, one byte at a time.
std::string ReferenceCollapse(std::string_view s) {
  std::string out;
  bool pending = false;
  size_t i = 0;
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  while (i < s.size()) {
    unsigned char c = at(0);
    size_t space = 0;
    bool drop = false;
    if (IsAsciiSpace(c)) space = 1;
    else if (c == 0xC2 && at(1) == 0xA0) space = 2;
    else if (c == 0xE2 && at(1) == 0x80 && ((at(2) >= 0x80 && at(2) <= 0x8B) || at(2) == 0xAF)) space = 3;
    else if (c == 0xE2 && at(1) == 0x81 && at(2) == 0x9F) space = 3;
    else if (c == 0xE3 && at(1) == 0x80 && at(2) == 0x80) space = 3;
    else if (c == 0xEF && at(1) == 0xBB && at(2) == 0xBF) space = 3, drop = true;
    if (space > 0) {
      if (!drop) pending = true;
      i += space;
      continue;
    }
    if (pending && !out.empty()) out.push_back(' ');
    pending = false;
    out.push_back(static_cast<char>(c));
    ++i;
  }
  return out;
}

std::string RandomText(std::mt19937& rng) {
  static const std::string kPieces[] = {
      " ", "\t", "\n", "\r", "\f", "\v", "  ", "a", "Z", "0", "-", "\x7f", "\x01", "\x1f",
      "\x21", "\xC2\xA0", "\xC2\xA9", "\xC2", "\xE2\x80\x8B", "\xE2\x80\xAF", "\xE2\x81\x9F",
      "\xE2\x80\xA6", "\xE2\x80", "\xE3\x80\x80", "\xE3\x80\x81", "\xEF\xBB\xBF", "\xEF\xBB",
      "인", "공", "지능", "기본법", "\x80", "\xBF", "\xFF", "\xED\x95\x9C"};
  std::string s;
  int pieces = static_cast<int>(rng() % 24);
  for (int i = 0; i < pieces; ++i) {
    if (rng() % 8 == 0) {
      s.push_back(static_cast<char>(rng() % 256));
    } else {
      s += kPieces[rng() % std::size(kPieces)];
    }
  }
  return s;
}

// Up to ~9 KB: long enough for the 16-byte paths and for CountChars'
// per-byte counters to be summed more than once (every 255 blocks); now and
// then long stretches of Hangul or ASCII without white space.
std::string LongRandomText(std::mt19937& rng) {
  const size_t target = rng() % 9000;
  std::string s;
  while (s.size() < target) {
    switch (rng() % 4) {
      case 0:
        for (int k = static_cast<int>(rng() % 400); k > 0; --k) s += "인공지능";
        break;
      case 1:
        s.append(rng() % 300, 'x');
        break;
      default:
        s += RandomText(rng);
    }
  }
  return s;
}

// UTF-8 validity decided by ICU's U8_NEXT alone, sequence by sequence; a
// cut input may end inside its last sequence.
bool ReferenceValidUtf8Prefix(std::string_view s, bool truncated) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return truncated && i == n && n - start < 4;
  }
  return true;
}

TEST(TextTest, Utf8ValidityMatchesIcuOnEverySequence) {
  // Every one-, two- and three-byte string, alone and after ASCII (the
  // word-at-a-time path), whole and cut.
  std::string s;
  auto check = [&](const std::string& t) {
    for (bool truncated : {false, true}) {
      ASSERT_EQ(text::IsValidUtf8Prefix(t, truncated), ReferenceValidUtf8Prefix(t, truncated))
          << testing::PrintToString(t) << " truncated=" << truncated;
    }
  };
  for (int a = 0; a < 256; ++a) {
    check(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) {
      s = {static_cast<char>(a), static_cast<char>(b)};
      check(s);
      if (a < 0xC0) continue;  // a third byte after a non-lead changes nothing new
      for (int c = 0; c < 256; ++c) {
        s = {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)};
        if (a >= 0xE0) check(s);
        if (c % 37 == 0) check("abcdefgh" + s + "ij");
      }
    }
  }
  std::mt19937 rng(11);
  for (int i = 0; i < 200000; ++i) check(RandomText(rng));
}

// Long texts for the 16-byte path: valid ones (Hangul, ASCII, two-byte
// and other characters, leads at every offset of a block), then each with
// a few bytes changed, whole and cut at a random length.
TEST(TextTest, Utf8ValidityMatchesIcuOnLongTexts) {
  std::mt19937 rng(41);
  const std::string kValid[] = {"인공지능", "a", "ab", "\xC2\xA9", "\xD0\x96", "\xE0\xA4\x85",
                                "\xED\x95\x9C", "\xEF\xBB\xBF", "\xF0\x9F\x98\x80", " ",
                                "\xE2\x80\xA6", "\xEC\x9D\xB8\xEA\xB3\xB5"};
  size_t invalid = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    const size_t target = rng() % 600;
    while (s.size() < target) s += kValid[rng() % std::size(kValid)];
    ASSERT_TRUE(text::IsValidUtf8(s)) << testing::PrintToString(s);
    if (i % 2 == 1 && !s.empty()) {
      for (int k = static_cast<int>(rng() % 3) + 1; k > 0; --k) {
        s[rng() % s.size()] = static_cast<char>(rng() % 256);
      }
    }
    for (bool truncated : {false, true}) {
      const std::string t = truncated ? s.substr(0, rng() % (s.size() + 1)) : s;
      const bool expected = ReferenceValidUtf8Prefix(t, truncated);
      invalid += expected ? 0 : 1;
      ASSERT_EQ(text::IsValidUtf8Prefix(t, truncated), expected)
          << testing::PrintToString(t) << " truncated=" << truncated;
    }
  }
  EXPECT_GT(invalid, 500u);  // the changed bytes broke many of them
  // Each ill-formed sequence (and a few well-formed ones near them) at each
  // offset of a 16-byte block, in Hangul and in ASCII.
  for (const char* piece : {"\xED\xA0\x80", "\xED\x9F\xBF", "\xE0\x80\x80", "\xE0\xA0\x80",
                            "\xC0\xAF", "\xC1\xBF", "\xC2\x80", "\xDF", "\xEA\xB0", "\xEA\xB0\xB0\xB0",
                            "\xF0\x9F\x98\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\x80",
                            "\xEF\xBF\xBF", "\xC2\xEA\xB0\x80", "\xEA\xC2\xA0"}) {
    for (const std::string& filler : {std::string("한"), std::string("a"), std::string("\xC2\xA9")}) {
      for (size_t offset = 0; offset < 48; ++offset) {
        std::string t;
        while (t.size() < offset) t += filler;
        t += piece;
        while (t.size() < 80) t += filler;
        ASSERT_EQ(text::IsValidUtf8(t), ReferenceValidUtf8Prefix(t, false)) << testing::PrintToString(t);
      }
    }
  }
  for (int i = 0; i < 200; ++i) {
    const std::string s = LongRandomText(rng);
    ASSERT_EQ(text::IsValidUtf8(s), ReferenceValidUtf8Prefix(s, false)) << s.size() << " bytes";
  }
}

TEST(TextTest, CountBytesMatchesByteByByteDefinition) {
  std::mt19937 rng(3);
  for (int i = 0; i < 50000; ++i) {
    std::string s = RandomText(rng);
    for (char& c : s) {
      if (rng() % 5 == 0) c = ",.\xAC\x2C\x2E"[rng() % 5];  // near misses too
    }
    size_t expected = 0;
    for (char c : s) expected += (c == ',' || c == '.') ? 1 : 0;
    ASSERT_EQ(text::CountBytes(s, ',', '.'), expected) << testing::PrintToString(s);
  }
  for (int i = 0; i < 300; ++i) {
    std::string s = LongRandomText(rng);
    for (char& c : s) {
      if (rng() % 7 == 0) c = ",.\xAC\x2C\x2E"[rng() % 5];
    }
    size_t expected = 0;
    for (char c : s) expected += (c == ',' || c == '.') ? 1 : 0;
    ASSERT_EQ(text::CountBytes(s, ',', '.'), expected) << s.size() << " bytes";
  }
  EXPECT_EQ(text::CountBytes("a,b.c,,d...", ',', '.'), 7u);
  EXPECT_EQ(text::CountBytes(std::string(17, '\x2C'), ',', '.'), 17u);
}

TEST(TextTest, CountCharsMatchesByteByByteDefinition) {
  std::mt19937 rng(20261123);
  for (int i = 0; i < 50000; ++i) {
    std::string s = RandomText(rng);
    ASSERT_EQ(text::CountChars(s), ReferenceCountChars(s)) << testing::PrintToString(s);
  }
  for (int i = 0; i < 300; ++i) {
    std::string s = LongRandomText(rng);
    ASSERT_EQ(text::CountChars(s), ReferenceCountChars(s)) << s.size() << " bytes";
  }
  EXPECT_EQ(text::CountChars(std::string(16 * 255 * 3 + 5, 'a')), 16u * 255 * 3 + 5);
  EXPECT_EQ(text::CountChars("인공지능 기본법이 국회를 통과했다"), 15u);
  EXPECT_EQ(text::CountChars(" \t\n\r\f\v"), 0u);
  EXPECT_EQ(text::CountChars("\x01\x02 abc\x7f"), 6u);  // control characters count
}

TEST(TextTest, CollapseMatchesByteByByteDefinition) {
  std::mt19937 rng(7);
  for (int i = 0; i < 50000; ++i) {
    std::string s = RandomText(rng);
    ASSERT_EQ(text::Collapse(s), ReferenceCollapse(s)) << testing::PrintToString(s);
  }
  for (int i = 0; i < 300; ++i) {
    std::string s = LongRandomText(rng);
    ASSERT_EQ(text::Collapse(s), ReferenceCollapse(s)) << s.size() << " bytes";
  }
  EXPECT_EQ(text::Collapse("  인공지능\xC2\xA0\xE3\x80\x80 기본법\xEF\xBB\xBF법  "), "인공지능 기본법법");
}

TEST(TextTest, AppendCollapsedCarriesPendingSpaceAcrossCalls) {
  std::string out;
  bool pending = false;
  text::AppendCollapsed("반도체 ", &out, &pending);
  EXPECT_TRUE(pending);
  text::AppendCollapsed("\xE3\x80\x80수출", &out, &pending);
  text::AppendCollapsed("규제", &out, &pending);
  EXPECT_EQ(out, "반도체 수출규제");
  EXPECT_FALSE(pending);
}

TEST(ChromeTest, ClassHintsAreTheSameWhenAskedAgain) {
  // The second ask is answered from the per-thread memo; the key keeps the
  // class and id apart.
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    EXPECT_TRUE(internal::HintsForClassId("article-body", "").strong_positive);
    EXPECT_TRUE(internal::HintsForClassId("", "gnb").negative);
    EXPECT_FALSE(internal::HintsForClassId("gnb", "").hidden);
    EXPECT_TRUE(internal::HintsForClassId("blind", "").hidden);
    // Same bytes, split differently between class and id.
    EXPECT_FALSE(internal::HintsForClassId("x", "blind").hidden);  // hidden is a class, not an id
    EXPECT_FALSE(internal::HintsForClassId("xblind", "").hidden);
    EXPECT_TRUE(internal::HintsForClassId("x blind", "").hidden);
    EXPECT_FALSE(internal::HintsForClassId("x ", "blind").hidden);
    EXPECT_TRUE(internal::HintsForClassId("photo_desc", "").caption);
    EXPECT_FALSE(internal::HintsForClassId("photo", "").caption);
  }
}

// The needles are found right after characters of every UTF-8 length (the
// search steps from character to character).
TEST(ChromeTest, NeedlesAreFoundAfterCharactersOfEachLength) {
  for (const char* before : {"", "a", "\xC3\xA9", "한", "\xF0\x9F\x98\x80", "한a", "aé한"}) {
    SCOPED_TRACE(before);
    const std::string b = before;
    EXPECT_TRUE(internal::IsChromeLine(b + "무단전재 및 재배포 금지 본문 내용이 이어집니다"));
    EXPECT_TRUE(internal::IsChromeLine("홍길동 기자 " + b + "hong@example.com"));
    EXPECT_TRUE(internal::HintsForClassId(b + "x_caption", "").caption);
    EXPECT_TRUE(internal::HintsForClassId("", b + "gnb").negative);
  }
  EXPECT_FALSE(internal::IsChromeLine("인공지능 기본법이 국회 본회의를 통과했다는 소식이 전해졌다"));
}

}  // namespace
}  // namespace jikji::parser
