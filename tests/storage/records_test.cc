// Keys, hashes and record encodings (storage/README.md), one format rule a test.
#include "storage/internal/records.h"

#include <gtest/gtest.h>

#include <string>

namespace jikji::storage::internal {
namespace {

TEST(UrlKeyTest, ParsedUrlsUseTheSurtKeyAndSite) {
  auto key = MakeUrlKey("https://www.etoday.co.kr/news/view/1?x=1");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->key.rfind("kr,co,etoday", 0), 0u) << key->key;
  EXPECT_EQ(key->site, "etoday.co.kr");
}

TEST(UrlKeyTest, UnparseableUrlsFallBackToThePrefixedRawString) {
  auto key = MakeUrlKey("not a url");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->key, std::string("\x01not a url"));
  EXPECT_EQ(key->site, "");
  auto mail = MakeUrlKey("mailto:a@b.kr");
  ASSERT_TRUE(mail.ok());
  EXPECT_EQ(mail->key[0], kFallbackKeyPrefix);
}

TEST(UrlKeyTest, RejectsEmptyTooLongAndNul) {
  EXPECT_TRUE(MakeUrlKey("").status().IsInvalidArgument());
  EXPECT_TRUE(MakeUrlKey(std::string(kMaxUrlBytes + 1, 'a')).status().IsInvalidArgument());
  EXPECT_TRUE(MakeUrlKey(std::string("https://a.kr/\0", 14)).status().IsInvalidArgument());
}

TEST(KeyTest, CaptureAndVersionKeysAreBigEndianAfterASeparator) {
  EXPECT_EQ(CaptureKey("k", 0x0102030405060708ULL), std::string("k\0\x01\x02\x03\x04\x05\x06\x07\x08", 10));
  EXPECT_EQ(VersionKey("k", 258), std::string("k\0\0\0\x01\x02", 6));
  // Numeric order is byte order, and all keys of "k" sort inside its range.
  EXPECT_LT(VersionKey("k", 9), VersionKey("k", 10));
  EXPECT_LT(CaptureKey("k", 255), CaptureKey("k", 256));
  EXPECT_LT(UrlRangeStart("k"), VersionKey("k", 0));
  EXPECT_LT(CaptureKey("k", ~0ULL), UrlRangeLimit("k"));
  EXPECT_LT(UrlRangeLimit("k"), UrlRangeStart("k!"));
}

TEST(NormalizeTextTest, CollapsesWhitespaceAndDropsEmptyLines) {
  EXPECT_EQ(NormalizeArticleText("  a \t b  \n\n  \nc\r\n"), "a b\nc");
  EXPECT_EQ(NormalizeArticleText("가\u00a0\u00a0나\u3000다"), "가 나 다");
  EXPECT_EQ(NormalizeArticleText(" \n\t"), "");
  EXPECT_EQ(NormalizeArticleText("x"), "x");
}

TEST(HashTest, RawHashIs16BytesAndDiscriminates) {
  EXPECT_EQ(RawHash("").size(), kHashBytes);
  EXPECT_NE(RawHash("a"), RawHash("b"));
  EXPECT_EQ(HexOf(std::string("\x00\xab\x0f", 3)), "00ab0f");
}

TEST(HashTest, MetaHashCoversKeyFieldsOnly) {
  Article a;
  a.title = "t";
  a.authors = {"a", "b"};
  Article b = a;
  b.body = "different body";
  b.section = "different section";
  EXPECT_EQ(MetaHash(a), MetaHash(b));
  b.published = "2024-01-01";
  EXPECT_NE(MetaHash(a), MetaHash(b));
  Article c = a;
  c.authors = {"ab"};  // length prefixes: {"a","b"} != {"ab"}
  EXPECT_NE(MetaHash(a), MetaHash(c));
}

TEST(RecordTest, UrlRecordRoundTrips) {
  UrlRecord r;
  r.state.url = "https://a.kr/1";
  r.state.latest_version = 3;
  r.state.first_fetched_micros = 1;
  r.state.last_fetched_micros = 2;
  r.state.last_changed_micros = 2;
  r.state.last_http_status = 200;
  r.state.etag = "\"e\"";
  r.state.duplicate_of = "https://b.kr/1";
  r.content_hash = RawHash("x");
  r.meta_hash = 0xFFFFFFFFFFFFFFFFULL;
  r.raw_hash = RawHash("y");
  auto back = DecodeUrlRecord(EncodeUrlRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->state.url, r.state.url);
  EXPECT_EQ(back->state.latest_version, 3u);
  EXPECT_EQ(back->state.last_http_status, 200);
  EXPECT_EQ(back->state.etag, "\"e\"");
  EXPECT_EQ(back->state.duplicate_of, r.state.duplicate_of);
  EXPECT_EQ(back->content_hash, r.content_hash);
  EXPECT_EQ(back->state.content_hash, HexOf(r.content_hash));
  EXPECT_EQ(back->meta_hash, r.meta_hash);
  EXPECT_EQ(back->raw_hash, r.raw_hash);
}

TEST(RecordTest, VersionRecordRoundTrips) {
  VersionRecord v;
  v.version = 2;
  v.fetched_micros = 1'700'000'000'000'000;
  v.http_status = 200;
  v.content_hash = RawHash("body");
  v.extractor_version = 1;
  v.relevance = 0.5;
  v.capture_key = CaptureKey("k", 5);
  v.article.url = "https://a.kr/1";
  v.article.title = "제목";
  v.article.authors = {"김", "이"};
  v.article.body = "본문\n둘째";
  v.article.captions = {"사진"};
  v.article.diagnostics = {"no date"};
  auto back = DecodeVersionRecord(EncodeVersionRecord(v));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->version, 2u);
  EXPECT_EQ(back->fetched_micros, v.fetched_micros);
  EXPECT_DOUBLE_EQ(back->relevance, 0.5);
  EXPECT_EQ(back->capture_key, v.capture_key);
  EXPECT_TRUE(back->article.is_article);
  EXPECT_EQ(back->article.title, "제목");
  EXPECT_EQ(back->article.authors, v.article.authors);
  EXPECT_EQ(back->article.body, v.article.body);
  EXPECT_EQ(back->article.captions, v.article.captions);
  EXPECT_EQ(back->article.diagnostics, v.article.diagnostics);
}

TEST(RecordTest, CaptureRecordRoundTripsAndOmitsFinalUrlWhenSame) {
  CaptureRecord c;
  c.capture.url = "https://a.kr/1";
  c.capture.final_url = c.capture.url;
  c.capture.headers = {{"ETag", "x"}, {"Set-Cookie", "a"}, {"Set-Cookie", "b"}};
  c.capture.redirect_chain = {"http://a.kr/1"};
  c.capture.truncated = true;
  c.raw_hash = RawHash("b");
  c.body_size = 1;
  std::string encoded = EncodeCaptureRecord(c);
  EXPECT_EQ(encoded.find("\xa1" "f"), std::string::npos);  // no "f" key
  auto back = DecodeCaptureRecord(encoded);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->capture.final_url, c.capture.url);
  EXPECT_EQ(back->capture.headers, c.capture.headers);
  EXPECT_EQ(back->capture.redirect_chain, c.capture.redirect_chain);
  EXPECT_TRUE(back->capture.truncated);
  EXPECT_EQ(back->raw_hash, c.raw_hash);
  EXPECT_EQ(back->body_size, 1u);
}

TEST(RecordTest, GarbageIsDataLoss) {
  EXPECT_EQ(DecodeUrlRecord("\xc1garbage").status().code(), Status::Code::kDataLoss);
  // A valid MessagePack value that is not a map.
  EXPECT_EQ(DecodeVersionRecord("\x01").status().code(), Status::Code::kDataLoss);
  // A map whose known key has the wrong type: {"lv": "x"}.
  EXPECT_EQ(DecodeUrlRecord("\x81\xa2lv\xa1x").status().code(), Status::Code::kDataLoss);
  // Unknown keys are ignored: {"zz": 1}.
  EXPECT_TRUE(DecodeContentRecord("\x81\xa2zz\x01").ok());
}

TEST(CounterTest, LittleEndianInt64) {
  EXPECT_EQ(EncodeCounter(1), std::string("\x01\0\0\0\0\0\0\0", 8));
  auto back = DecodeCounter(EncodeCounter(-5));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, -5);
  EXPECT_EQ(DecodeCounter("abc").status().code(), Status::Code::kDataLoss);
}

}  // namespace
}  // namespace jikji::storage::internal
