// Tests of parser/charset.h: labels, Content-Type, the <meta> prescan,
// sniffing order and decoding.
#include "parser/charset.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "parser/internal/text.h"

namespace jikji::parser {
namespace {

// "똠햏 한글" in CP949 (iconv -f UTF-8 -t CP949): 똠 and 햏 are UHC
// syllables outside KS X 1001, so a strict EUC-KR decoder loses them.
constexpr char kCp949Ttomhaeng[] = "\x8c\x63\xc1\x64\x20\xc7\xd1\xb1\xdb";
// "한글" in EUC-KR.
constexpr char kEucKrHangul[] = "\xc7\xd1\xb1\xdb";

TEST(EncodingForLabel, KoreanLabelsAreEucKr) {
  for (const char* label : {"euc-kr", "EUC-KR", "ks_c_5601-1987", "cp949", "windows-949",
                            "csksc56011987", "iso-ir-149", "korean", "ksc5601", "ksc_5601",
                            " KS_C_5601-1987 "}) {
    EXPECT_EQ(EncodingForLabel(label), "EUC-KR") << label;
  }
}

TEST(EncodingForLabel, LatinLabelsAreWindows1252) {
  for (const char* label : {"latin1", " latin1 ", "ascii", "us-ascii", "iso-8859-1", "ISO-8859-1",
                            "iso8859-1", "cp1252", "windows-1252"}) {
    EXPECT_EQ(EncodingForLabel(label), "windows-1252") << label;
  }
}

TEST(EncodingForLabel, OtherEncodings) {
  EXPECT_EQ(EncodingForLabel("utf8"), "UTF-8");
  EXPECT_EQ(EncodingForLabel("UTF-8"), "UTF-8");
  EXPECT_EQ(EncodingForLabel("unicode-1-1-utf-8"), "UTF-8");
  EXPECT_EQ(EncodingForLabel("utf-16"), "UTF-16LE");
  EXPECT_EQ(EncodingForLabel("utf-16be"), "UTF-16BE");
  EXPECT_EQ(EncodingForLabel("iso8859-2"), "ISO-8859-2");
  EXPECT_EQ(EncodingForLabel("latin2"), "ISO-8859-2");
  EXPECT_EQ(EncodingForLabel("iso-8859-9"), "windows-1254");
  EXPECT_EQ(EncodingForLabel("koi8-r"), "KOI8-R");
  EXPECT_EQ(EncodingForLabel("koi8-u"), "KOI8-U");
  EXPECT_EQ(EncodingForLabel("sjis"), "Shift_JIS");
  EXPECT_EQ(EncodingForLabel("euc-jp"), "EUC-JP");
  EXPECT_EQ(EncodingForLabel("iso-2022-jp"), "ISO-2022-JP");
  EXPECT_EQ(EncodingForLabel("gb2312"), "GBK");
  EXPECT_EQ(EncodingForLabel("gb18030"), "gb18030");
  EXPECT_EQ(EncodingForLabel("big5-hkscs"), "Big5");
  EXPECT_EQ(EncodingForLabel("x-user-defined"), "x-user-defined");
  EXPECT_EQ(EncodingForLabel("iso-2022-kr"), "replacement");
  EXPECT_EQ(EncodingForLabel("tis-620"), "windows-874");
}

TEST(EncodingForLabel, UnknownLabelsAreEmpty) {
  EXPECT_EQ(EncodingForLabel(""), "");
  EXPECT_EQ(EncodingForLabel("utf-9"), "");
  EXPECT_EQ(EncodingForLabel("euc_kr"), "");
  EXPECT_EQ(EncodingForLabel(std::string(100, 'a')), "");
}

TEST(CharsetFromContentType, Parameters) {
  EXPECT_EQ(CharsetFromContentType("text/html; charset=EUC-KR"), "EUC-KR");
  EXPECT_EQ(CharsetFromContentType("text/html;charset=\"utf-8\""), "utf-8");
  EXPECT_EQ(CharsetFromContentType("text/html; Charset = 'ks_c_5601-1987' ; q=1"),
            "ks_c_5601-1987");
  EXPECT_EQ(CharsetFromContentType("text/html; format=flowed"), "");
  EXPECT_EQ(CharsetFromContentType("text/html"), "");
  EXPECT_EQ(CharsetFromContentType(""), "");
}

TEST(PrescanMeta, MetaCharset) {
  EXPECT_EQ(PrescanMeta("<html><head><meta charset=\"euc-kr\">"), "EUC-KR");
  EXPECT_EQ(PrescanMeta("<META CHARSET=UTF-8>"), "UTF-8");
  EXPECT_EQ(PrescanMeta("<meta charset='latin1'/>"), "windows-1252");
}

TEST(PrescanMeta, HttpEquivNeedsPragma) {
  EXPECT_EQ(PrescanMeta("<meta http-equiv=\"Content-Type\" "
                        "content=\"text/html; charset=ks_c_5601-1987\">"),
            "EUC-KR");
  EXPECT_EQ(PrescanMeta("<meta content=\"text/html; charset=euc-kr\" "
                        "http-equiv=\"content-type\">"),
            "EUC-KR");
  // content= without http-equiv=content-type does not count.
  EXPECT_EQ(PrescanMeta("<meta content=\"text/html; charset=euc-kr\">"), "");
}

TEST(PrescanMeta, SkipsCommentsAndOtherTags) {
  EXPECT_EQ(PrescanMeta("<!-- <meta charset=euc-kr> --><meta charset=utf-8>"), "UTF-8");
  EXPECT_EQ(PrescanMeta("<!--><meta charset=euc-kr>"), "EUC-KR");
  EXPECT_EQ(PrescanMeta("<div title='<meta charset=euc-kr>'><meta charset=iso-8859-2>"),
            "ISO-8859-2");
  EXPECT_EQ(PrescanMeta("<!DOCTYPE html><?xml x?><meta charset=koi8-r>"), "KOI8-R");
}

TEST(PrescanMeta, SpecialCases) {
  EXPECT_EQ(PrescanMeta("<meta charset=utf-16le>"), "UTF-8");
  EXPECT_EQ(PrescanMeta("<meta charset=x-user-defined>"), "windows-1252");
  EXPECT_EQ(PrescanMeta("<meta charset=bogus><meta charset=euc-kr>"), "EUC-KR");
  EXPECT_EQ(PrescanMeta("<meta charset=euc-kr"), "");  // unterminated at end of input
  // Only the first 1024 bytes are looked at.
  std::string late(1100, ' ');
  late += "<meta charset=euc-kr>";
  EXPECT_EQ(PrescanMeta(late), "");
  EXPECT_EQ(PrescanMeta(late.substr(200)), "EUC-KR");
}

TEST(SniffEncoding, Order) {
  EXPECT_EQ(SniffEncoding("\xEF\xBB\xBF<meta charset=euc-kr>", "text/html; charset=latin1").source,
            "bom");
  SniffResult http = SniffEncoding("<meta charset=euc-kr>", "text/html; charset=utf-8");
  EXPECT_EQ(http.encoding, "UTF-8");
  EXPECT_EQ(http.source, "http");
  SniffResult meta = SniffEncoding("<meta charset=euc-kr>", "text/html; charset=bogus");
  EXPECT_EQ(meta.encoding, "EUC-KR");
  EXPECT_EQ(meta.source, "meta");
  SniffResult utf8 = SniffEncoding("<p>\xED\x95\x9C\xEA\xB8\x80 text</p>", "");
  EXPECT_EQ(utf8.encoding, "UTF-8");
  SniffResult ascii = SniffEncoding("<p>plain</p>", "");
  EXPECT_EQ(ascii.source, "default");
}

TEST(SniffEncoding, DetectsUndeclaredEucKr) {
  // Enough undeclared EUC-KR text for the statistical detector.
  std::string body = "<html><body><p>";
  const char* sentence =
      "\xb4\xeb\xc7\xd1\xb9\xce\xb1\xb9\xc0\xc7 \xbc\xf6\xb5\xb5\xb4\xc2 "
      "\xbc\xad\xbf\xef\xc0\xcc\xb4\xd9. ";  // "대한민국의 수도는 서울이다. "
  for (int i = 0; i < 20; ++i) body += sentence;
  body += "</p></body></html>";
  SniffResult r = SniffEncoding(body, "");
  EXPECT_EQ(r.encoding, "EUC-KR");
  EXPECT_EQ(r.source, "detected");
}

TEST(DecodeToUtf8, EucKrKeepsUhcSyllables) {
  std::string out;
  size_t replaced = 0;
  ASSERT_TRUE(DecodeToUtf8(kCp949Ttomhaeng, "euc-kr", &out, &replaced));
  EXPECT_EQ(out, "똠햏 한글");
  EXPECT_EQ(replaced, 0u);
  ASSERT_TRUE(DecodeToUtf8(kEucKrHangul, "ks_c_5601-1987", &out));
  EXPECT_EQ(out, "한글");
}

TEST(DecodeToUtf8, InvalidBytesBecomeReplacementAndAreCounted) {
  std::string out;
  size_t replaced = 0;
  ASSERT_TRUE(DecodeToUtf8(std::string_view("a\xFF" "b\xC3", 4), "utf-8", &out, &replaced));
  EXPECT_EQ(out, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  EXPECT_EQ(replaced, 2u);
  replaced = 0;
  // A lead byte cut off by the end of the input.
  ASSERT_TRUE(DecodeToUtf8("\xC7\xD1\xC7", "euc-kr", &out, &replaced));
  EXPECT_EQ(out, "한\xEF\xBF\xBD");
  EXPECT_EQ(replaced, 1u);
}

TEST(DecodeToUtf8, Windows1252AndUserDefined) {
  std::string out;
  ASSERT_TRUE(DecodeToUtf8("caf\xE9 \x80 \x93x\x94", "iso-8859-1", &out));
  EXPECT_EQ(out, "café € “x”");
  ASSERT_TRUE(DecodeToUtf8("a\x80", "x-user-defined", &out));
  EXPECT_EQ(out, "a\xEF\x9E\x80");  // U+F780
}

TEST(DecodeToUtf8, BomsAreRemoved) {
  std::string out;
  ASSERT_TRUE(DecodeToUtf8("\xEF\xBB\xBFhi", "UTF-8", &out));
  EXPECT_EQ(out, "hi");
  ASSERT_TRUE(DecodeToUtf8(std::string_view("\xFF\xFEh\0i\0", 6), "utf-16le", &out));
  EXPECT_EQ(out, "hi");
  ASSERT_TRUE(DecodeToUtf8(std::string_view("\xFE\xFF\0h\0i", 6), "UTF-16BE", &out));
  EXPECT_EQ(out, "hi");
}

TEST(DecodeToUtf8, LegacyEncodings) {
  std::string out;
  ASSERT_TRUE(DecodeToUtf8("\x93\xfa\x96\x7b", "shift_jis", &out));  // 日本
  EXPECT_EQ(out, "日本");
  ASSERT_TRUE(DecodeToUtf8("\xd6\xd0\xce\xc4", "gb2312", &out));  // 中文
  EXPECT_EQ(out, "中文");
  ASSERT_TRUE(DecodeToUtf8("\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", &out));  // Привет
  EXPECT_EQ(out, "Привет");
  ASSERT_TRUE(DecodeToUtf8("\xb3", "iso-8859-2", &out));  // ł
  EXPECT_EQ(out, "ł");
}

TEST(DecodeToUtf8, LargeInputCrossesChunks) {
  std::string bytes;
  for (int i = 0; i < 50000; ++i) bytes += kEucKrHangul;
  std::string out;
  size_t replaced = 0;
  ASSERT_TRUE(DecodeToUtf8(bytes, "euc-kr", &out, &replaced));
  EXPECT_EQ(replaced, 0u);
  EXPECT_EQ(out.size(), 50000u * 6);
  EXPECT_EQ(out.substr(out.size() - 6), "한글");
}

// "인공지능 기본법이 국회를 통과했다 반도체" in EUC-KR.
constexpr char kEucKrSentence[] =
    "\xc0\xce\xb0\xf8\xc1\xf6\xb4\xc9 \xb1\xe2\xba\xbb\xb9\xfd\xc0\xcc \xb1\xb9\xc8\xb8\xb8\xa6 "
    "\xc5\xeb\xb0\xfa\xc7\xdf\xb4\xd9 \xb9\xdd\xb5\xb5\xc3\xbc";
constexpr char kUtf8Sentence[] = "인공지능 기본법이 국회를 통과했다 반도체";
// French in windows-1252 (split where a hex escape would swallow a letter).
constexpr char kCp1252French[] =
    "Caf\xe9 cr\xe8me br\xfbl\xe9" "e \xe0 la fran\xe7" "aise, \xe9t\xe9 d\xe9j\xe0 re\xe7u";

std::string Page(std::string_view meta_charset, std::string_view text) {
  std::string html = "<html><head>";
  if (!meta_charset.empty()) html += "<meta charset=\"" + std::string(meta_charset) + "\">";
  return html + "<title>t</title></head><body><p>" + std::string(text) + "</p></body></html>";
}

struct Decoded {
  SniffResult sniff;
  std::string text;
  std::string note;
};

Decoded Decode(const std::string& bytes, std::string_view content_type = "") {
  Decoded d;
  d.sniff = DecodeHtml(bytes, content_type, &d.text, nullptr, &d.note);
  return d;
}

TEST(DecodeHtml, Utf8BytesDeclaredEucKrAreUtf8) {
  Decoded d = Decode(Page("euc-kr", kUtf8Sentence));
  EXPECT_EQ(d.sniff.encoding, "UTF-8");
  EXPECT_EQ(d.sniff.source, "bytes");
  EXPECT_NE(d.text.find(kUtf8Sentence), std::string::npos);
  EXPECT_NE(d.note.find("declared EUC-KR (meta)"), std::string::npos) << d.note;
}

TEST(DecodeHtml, EucKrBytesDeclaredUtf8AreEucKr) {
  Decoded d = Decode(Page("", kEucKrSentence), "text/html; charset=utf-8");
  EXPECT_EQ(d.sniff.encoding, "EUC-KR");
  EXPECT_NE(d.text.find(kUtf8Sentence), std::string::npos);
  EXPECT_NE(d.note.find("declared UTF-8 (http)"), std::string::npos) << d.note;
}

// A single-byte label never yields U+FFFD: the evidence is clean Hangul,
// or valid UTF-8.
TEST(DecodeHtml, KoreanBytesDeclaredLatin1AreDecodedAsWhatTheyAre) {
  Decoded e = Decode(Page("", kEucKrSentence), "text/html; charset=iso-8859-1");
  EXPECT_EQ(e.sniff.encoding, "EUC-KR");
  EXPECT_NE(e.text.find(kUtf8Sentence), std::string::npos);
  Decoded u = Decode(Page("windows-1252", kUtf8Sentence));
  EXPECT_EQ(u.sniff.encoding, "UTF-8");
  EXPECT_NE(u.text.find(kUtf8Sentence), std::string::npos);
}

TEST(DecodeHtml, DeclarationsThatFitAreKept) {
  Decoded french = Decode(Page("windows-1252", kCp1252French));
  EXPECT_EQ(french.sniff.encoding, "windows-1252");
  EXPECT_EQ(french.sniff.source, "meta");
  EXPECT_NE(french.text.find("Café crème brûlée"), std::string::npos);
  EXPECT_EQ(french.note, "");
  Decoded korean = Decode(Page("euc-kr", kEucKrSentence));
  EXPECT_EQ(korean.sniff.encoding, "EUC-KR");
  EXPECT_EQ(korean.sniff.source, "meta");
  EXPECT_EQ(korean.note, "");
  // UTF-8 with a few stray bytes stays UTF-8: the bytes are no better as EUC-KR.
  std::string stray = std::string(kUtf8Sentence) + " \xff\xfe " + kUtf8Sentence;
  Decoded utf8 = Decode(Page("utf-8", stray));
  EXPECT_EQ(utf8.sniff.encoding, "UTF-8");
  EXPECT_EQ(utf8.sniff.source, "meta");
  Decoded ascii = Decode(Page("euc-kr", "plain ASCII text"));
  EXPECT_EQ(ascii.sniff.encoding, "EUC-KR");
}

TEST(DecodeHtml, TooLittleEvidenceKeepsTheDeclaration) {
  Decoded d = Decode(Page("windows-1252", "AI 기본법 text"));  // 3 Hangul in UTF-8
  EXPECT_EQ(d.sniff.encoding, "windows-1252");
  EXPECT_EQ(d.note, "");
}

TEST(DecodeHtml, ByteOrderMarkIsNeverOverridden) {
  Decoded d = Decode("\xEF\xBB\xBF" + Page("", kEucKrSentence));
  EXPECT_EQ(d.sniff.encoding, "UTF-8");
  EXPECT_EQ(d.sniff.source, "bom");
}

// The prefilter's fast text checks rely on this (charset.h).
TEST(DecodeHtml, OutputIsWellFormedUtf8WhateverTheBytes) {
  std::mt19937 rng(20261205);
  const char* kTypes[] = {"text/html", "text/html; charset=utf-8", "text/html; charset=euc-kr",
                          "text/html; charset=cp949", "text/html; charset=iso-8859-1",
                          "text/html; charset=utf-16le", "text/html; charset=utf-16be",
                          "text/html; charset=x-user-defined", "text/html; charset=iso-2022-kr",
                          "text/html; charset=shift_jis", "text/html; charset=gb18030",
                          "text/html; charset=big5", "text/html; charset=koi8-r"};
  const std::string kPieces[] = {"<meta charset=utf-8>", "<meta charset=euc-kr>", "\xEF\xBB\xBF",
                                 "\xFE\xFF", "\xFF\xFE", "\xB0\xA1", "\xED\xA0\x80",
                                 "\xF4\x90\x80\x80", "\xC0\xAF", "인공지능", "<p>", "\xD8\x00"};
  for (int i = 0; i < 3000; ++i) {
    std::string bytes;
    for (int k = static_cast<int>(rng() % 40); k > 0; --k) {
      if (rng() % 3 == 0) {
        bytes += kPieces[rng() % std::size(kPieces)];
      } else {
        bytes.push_back(static_cast<char>(rng() % 256));
      }
    }
    std::string out;
    const char* type = kTypes[rng() % std::size(kTypes)];
    DecodeHtml(bytes, type, &out);
    ASSERT_TRUE(text::IsValidUtf8(out)) << type << " " << testing::PrintToString(bytes);
  }
}

TEST(DecodeToUtf8, UnknownEncodingFails) {
  std::string out = "stale";
  EXPECT_FALSE(DecodeToUtf8("abc", "no-such-encoding", &out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(DecodeToUtf8("abc", "iso-2022-kr", &out));  // replacement
  EXPECT_EQ(out, "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace jikji::parser
