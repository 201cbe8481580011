// Keys, hashes and record encodings (storage/README.md), one format rule a test.
#include "storage/internal/records.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

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

// By definition: lines at '\n'; in each, the words between runs of white
// space (ASCII space, tab, CR, FF, VT, U+00A0, U+3000) joined by one
// space; blank lines dropped.
std::string ReferenceNormalize(std::string_view body) {
  std::string out;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t end = std::min(body.find('\n', pos), body.size());
    std::string_view line = body.substr(pos, end - pos);
    std::vector<std::string> words(1);
    for (size_t i = 0; i < line.size();) {
      size_t ws = 0;
      if (std::string_view(" \t\r\f\v").find(line[i]) != std::string_view::npos) ws = 1;
      else if (line.substr(i, 2) == "\xC2\xA0") ws = 2;
      else if (line.substr(i, 3) == "\xE3\x80\x80") ws = 3;
      if (ws > 0) {
        if (!words.back().empty()) words.emplace_back();
        i += ws;
      } else {
        words.back() += line[i++];
      }
    }
    if (words.back().empty()) words.pop_back();
    if (!words.empty()) {
      if (!out.empty()) out += '\n';
      for (size_t k = 0; k < words.size(); ++k) out += (k ? " " : "") + words[k];
    }
    pos = end + 1;
  }
  return out;
}

TEST(NormalizeTextTest, MatchesItsDefinitionOnRandomText) {
  const std::string pieces[] = {"a", "가나", " ", " ", "\n", "\t", "\r", "\xC2\xA0", "\xC2\xB7",
                                "\xE3\x80\x80", "\xE3\x80\x8C", "\xC2", "\xE3\x80", "\v"};
  std::mt19937_64 rng(8);
  size_t unchanged = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string s;
    for (int k = static_cast<int>(rng() % 12); k > 0; --k) s += pieces[rng() % std::size(pieces)];
    const std::string expected = ReferenceNormalize(s);
    ASSERT_EQ(NormalizeArticleText(s), expected) << ::testing::PrintToString(s);
    unchanged += expected == s;
  }
  EXPECT_GT(unchanged, 1000u);  // the as-is path is taken too
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

// The records are written field by field, not through nlohmann::json; the
// bytes must stay what json::to_msgpack makes of the same object (the
// format every archive holds). The reference below builds that object.
using json = nlohmann::json;

json Reference(const std::vector<std::pair<std::string, json>>& fields) {
  json j = json::object();
  for (const auto& [key, value] : fields) j[key] = value;
  return j;
}
std::string Msgpack(const json& j) {
  std::string out;
  json::to_msgpack(j, out);
  return out;
}
json Bin(const std::string& s) { return json::binary(std::vector<std::uint8_t>(s.begin(), s.end())); }

class RandomFields {
 public:
  explicit RandomFields(uint64_t seed) : rng_(seed) {}
  // Lengths around every boundary of the encodings (31/32, 255/256,
  // 65535/65536), often empty.
  std::string Str() {
    static constexpr size_t kLengths[] = {0, 0, 1, 5, 31, 32, 200, 255, 256, 1000, 65535, 65536};
    size_t n = kLengths[rng_() % std::size(kLengths)];
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>("ab가\xEA\x00z"[rng_() % 6]);
    return s;
  }
  int64_t Int() {
    static constexpr int64_t kValues[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295LL,
                                          4294967296LL, -1, -32, -33, -128, -129, -32768, -32769,
                                          -2147483648LL, -2147483649LL,
                                          std::numeric_limits<int64_t>::min(),
                                          std::numeric_limits<int64_t>::max()};
    return rng_() % 4 == 0 ? static_cast<int64_t>(rng_()) : kValues[rng_() % std::size(kValues)];
  }
  uint64_t UInt() { return rng_() % 3 == 0 ? rng_() : static_cast<uint64_t>(std::abs(Int() % 70000)); }
  double Float() {
    static constexpr double kValues[] = {0.0, 0.5, 0.1, 1.0 / 3, 1e300, -2.25, 3.4e38, 1e-45};
    return kValues[rng_() % std::size(kValues)];
  }
  std::vector<std::string> List() {
    std::vector<std::string> v(rng_() % 3 == 0 ? 0 : rng_() % 20);
    for (auto& s : v) s = Str().substr(0, 40);
    return v;
  }
  size_t Below(size_t n) { return rng_() % n; }

 private:
  std::mt19937_64 rng_;
};

TEST(RecordTest, EncodingsAreTheBytesNlohmannJsonWrites) {
  RandomFields f(20261205);
  for (int i = 0; i < 200; ++i) {
    VersionRecord v;
    v.version = static_cast<uint32_t>(f.UInt());
    v.fetched_micros = f.Int();
    v.http_status = static_cast<int>(f.Int() % 1000);
    v.content_hash = f.Str();
    v.extractor_version = static_cast<int>(f.Int() % 100);
    v.relevance = f.Float();
    v.capture_key = f.Str();
    v.simhash = f.UInt();
    v.near_duplicate_of = f.Str();
    v.sequence = f.UInt();
    Article& a = v.article;
    a.url = f.Str();
    a.title = f.Str();
    a.authors = f.List();
    a.published = f.Str();
    a.modified = f.Str();
    a.site_name = f.Str();
    a.section = f.Str();
    a.canonical_url = f.Str();
    a.language = f.Str();
    a.description = f.Str();
    a.lead_image = f.Str();
    a.body = f.Str();
    a.captions = f.List();
    a.charset = f.Str();
    a.diagnostics = f.List();
    std::vector<std::pair<std::string, json>> fields;
    auto str = [&](const char* k, const std::string& s) {
      if (!s.empty()) fields.emplace_back(k, s);
    };
    auto list = [&](const char* k, const std::vector<std::string>& l) {
      if (!l.empty()) fields.emplace_back(k, l);
    };
    if (v.version) fields.emplace_back("v", uint64_t{v.version});
    if (v.fetched_micros) fields.emplace_back("t", v.fetched_micros);
    if (v.http_status) fields.emplace_back("s", int64_t{v.http_status});
    if (!v.content_hash.empty()) fields.emplace_back("ch", Bin(v.content_hash));
    if (v.extractor_version) fields.emplace_back("xv", int64_t{v.extractor_version});
    if (v.relevance != 0) fields.emplace_back("rl", v.relevance);
    if (!v.capture_key.empty()) fields.emplace_back("ck", Bin(v.capture_key));
    if (v.simhash) fields.emplace_back("sh", v.simhash);
    str("nd", v.near_duplicate_of);
    if (v.sequence) fields.emplace_back("sq", v.sequence);
    str("u", a.url);
    str("ti", a.title);
    list("au", a.authors);
    str("pu", a.published);
    str("mo", a.modified);
    str("sn", a.site_name);
    str("se", a.section);
    str("cu", a.canonical_url);
    str("la", a.language);
    str("de", a.description);
    str("li", a.lead_image);
    str("bo", a.body);
    list("ca", a.captions);
    str("cs", a.charset);
    list("dg", a.diagnostics);
    ASSERT_EQ(EncodeVersionRecord(v), Msgpack(Reference(fields))) << i;

    Capture c;
    c.url = f.Str();
    c.final_url = f.Below(2) ? c.url : f.Str();
    c.fetched_micros = f.Int();
    c.http_status = static_cast<int>(f.Int() % 1000);
    for (size_t h = f.Below(3) == 0 ? 0 : f.Below(40); h > 0; --h) {
      c.headers.emplace_back(f.Str().substr(0, 20), f.Str());
    }
    c.redirect_chain = f.List();
    c.truncated = f.Below(2) == 0;
    const std::string raw_hash = f.Str();
    const uint64_t body_size = f.UInt();
    fields.clear();
    str("u", c.url);
    if (c.final_url != c.url) str("f", c.final_url);
    if (c.fetched_micros) fields.emplace_back("t", c.fetched_micros);
    if (c.http_status) fields.emplace_back("s", int64_t{c.http_status});
    if (!c.headers.empty()) {
      json headers = json::array();
      for (const auto& [name, value] : c.headers) headers.push_back(json::array({name, value}));
      fields.emplace_back("h", headers);
    }
    list("r", c.redirect_chain);
    if (!raw_hash.empty()) fields.emplace_back("b", Bin(raw_hash));
    if (body_size) fields.emplace_back("n", body_size);
    if (c.truncated) fields.emplace_back("x", true);
    ASSERT_EQ(EncodeCaptureRecord(c, raw_hash, body_size), Msgpack(Reference(fields))) << i;

    UrlRecord u;
    u.state.url = f.Str();
    u.state.latest_version = static_cast<uint32_t>(f.UInt());
    u.state.first_fetched_micros = f.Int();
    u.state.last_fetched_micros = f.Int();
    u.state.last_changed_micros = f.Int();
    u.state.last_http_status = static_cast<int>(f.Int() % 1000);
    u.state.etag = f.Str();
    u.state.last_modified = f.Str();
    u.content_hash = f.Str();
    u.meta_hash = f.UInt();
    u.state.duplicate_of = f.Str();
    u.raw_hash = f.Str();
    u.max_version = f.Below(2) ? u.state.latest_version : static_cast<uint32_t>(f.UInt());
    fields.clear();
    str("u", u.state.url);
    if (u.state.latest_version) fields.emplace_back("lv", uint64_t{u.state.latest_version});
    if (u.state.first_fetched_micros) fields.emplace_back("ff", u.state.first_fetched_micros);
    if (u.state.last_fetched_micros) fields.emplace_back("lf", u.state.last_fetched_micros);
    if (u.state.last_changed_micros) fields.emplace_back("lc", u.state.last_changed_micros);
    if (u.state.last_http_status) fields.emplace_back("ls", int64_t{u.state.last_http_status});
    str("et", u.state.etag);
    str("lm", u.state.last_modified);
    if (!u.content_hash.empty()) fields.emplace_back("ch", Bin(u.content_hash));
    if (u.meta_hash) fields.emplace_back("mh", u.meta_hash);
    str("do", u.state.duplicate_of);
    if (!u.raw_hash.empty()) fields.emplace_back("rh", Bin(u.raw_hash));
    if (u.max_version != u.state.latest_version && u.max_version) {
      fields.emplace_back("nv", uint64_t{u.max_version});
    }
    ASSERT_EQ(EncodeUrlRecord(u), Msgpack(Reference(fields))) << i;

    ContentRecord cr{f.Str(), static_cast<uint32_t>(f.UInt())};
    fields.clear();
    str("u", cr.url);
    if (cr.version) fields.emplace_back("v", uint64_t{cr.version});
    ASSERT_EQ(EncodeContentRecord(cr), Msgpack(Reference(fields))) << i;
  }
  // An empty record is an empty map.
  EXPECT_EQ(EncodeContentRecord({}), "\x80");
}

TEST(CounterTest, PackedCountersAddElementByElement) {
  const int64_t a[] = {1, -2, 3};
  const int64_t b[] = {10, 20};
  auto sum = AddCounters(EncodeCounters(a, 3), EncodeCounters(b, 2));
  ASSERT_TRUE(sum.ok());
  auto back = DecodeCounters(*sum);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, (std::vector<int64_t>{11, 18, 3}));  // the shorter one padded with zeros
  // A schema-3 counter is a packed value of one.
  auto one = AddCounters(EncodeCounter(7), EncodeCounter(-9));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*DecodeCounter(*one), -2);
  auto first = AddCounters("", EncodeCounters(a, 3));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, EncodeCounters(a, 3));
  EXPECT_EQ(AddCounters("abc", EncodeCounter(1)).status().code(), Status::Code::kDataLoss);
  EXPECT_EQ(DecodeCounters("123456789").status().code(), Status::Code::kDataLoss);
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
