#include "crawler/internal/content_decoding.h"

#include <brotli/encode.h>
#include <gtest/gtest.h>
#include <zstd.h>

#include <random>
#include <string>

#include "tests/testing/http_server.h"

namespace jikji::crawler::internal {
namespace {

std::string Encode(const std::string& data, int window_bits, int level = 6) {
  return testing::DeflateCompress(data, window_bits, level);
}
std::string Gzip(const std::string& data, int level = 6) { return Encode(data, 15 + 16, level); }

std::string Brotli(const std::string& data) {
  std::string out(BrotliEncoderMaxCompressedSize(data.size()), '\0');
  size_t n = out.size();
  EXPECT_TRUE(BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                                    reinterpret_cast<const uint8_t*>(data.data()), &n,
                                    reinterpret_cast<uint8_t*>(out.data())));
  out.resize(n);
  return out;
}

std::string Zstd(const std::string& data, int level = 3) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// Korean and ASCII text that compresses like a page.
std::string Page(size_t lines, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string s = "<html><body>";
  for (size_t i = 0; i < lines; ++i) {
    s += "<p>과기정통부 인공지능 기본법 " + std::to_string(rng()) + " GPU 데이터센터</p>\n";
  }
  return s + "</body></html>";
}

constexpr size_t kCap = 16 << 20;

TEST(ContentDecoding, GzipZlibAndRawDeflateDecode) {
  const std::string page = Page(3000);
  for (int level : {1, 6, 9}) {
    std::string body = Gzip(page, level);
    DecodeOutcome d = DecodeContent("gzip", true, kCap, &body);
    ASSERT_TRUE(d.status.ok()) << d.status.ToString();
    EXPECT_FALSE(d.truncated);
    EXPECT_EQ(body, page) << "level " << level;
  }
  std::string zlib_wrapped = Encode(page, 15);
  ASSERT_TRUE(DecodeContent("deflate", true, kCap, &zlib_wrapped).status.ok());
  EXPECT_EQ(zlib_wrapped, page);
  std::string raw = Encode(page, -15);  // what some servers send as "deflate"
  ASSERT_TRUE(DecodeContent("deflate", true, kCap, &raw).status.ok());
  EXPECT_EQ(raw, page);
}

TEST(ContentDecoding, BrotliAndZstdDecode) {
  const std::string page = Page(3000);
  std::string br = Brotli(page);
  DecodeOutcome d = DecodeContent("br", true, kCap, &br);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(br, page);
  std::string zs = Zstd(page) + Zstd("two frames");
  d = DecodeContent("zstd", true, kCap, &zs);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(zs, page + "two frames");
  // Past the cap, cut short, corrupt: as with gzip.
  for (const std::string coding : {"br", "zstd"}) {
    const std::string encoded = coding == "br" ? Brotli(page) : Zstd(page);
    std::string body = encoded;
    d = DecodeContent(coding, true, 1000, &body);
    EXPECT_TRUE(d.truncated) << coding;
    EXPECT_EQ(body, page.substr(0, 1000)) << coding;
    body = encoded.substr(0, encoded.size() / 2);
    d = DecodeContent(coding, false, kCap, &body);
    ASSERT_TRUE(d.status.ok()) << coding << " " << d.status.ToString();
    EXPECT_TRUE(d.truncated) << coding;
    EXPECT_EQ(body, page.substr(0, body.size())) << coding;
    body = encoded.substr(0, encoded.size() / 2);
    EXPECT_EQ(DecodeContent(coding, true, kCap, &body).status.code(), Status::Code::kDataLoss) << coding;
    body = "not " + coding + " at all, just text";
    EXPECT_EQ(DecodeContent(coding, true, kCap, &body).status.code(), Status::Code::kDataLoss) << coding;
  }
}

TEST(ContentDecoding, ZstdWindowIsBounded) {
  // A frame that declares a 128 MiB window is refused, not allocated.
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 27);
  ZSTD_CCtx_setParameter(c, ZSTD_c_enableLongDistanceMatching, 1);
  const std::string page = Page(200000);  // ~13 MB: the window stays large
  std::string out(ZSTD_compressBound(page.size()), '\0');
  size_t n = ZSTD_compress2(c, out.data(), out.size(), page.data(), page.size());
  ZSTD_freeCCtx(c);
  ASSERT_FALSE(ZSTD_isError(n));
  out.resize(n);
  EXPECT_EQ(DecodeContent("zstd", true, 64 << 20, &out).status.code(), Status::Code::kDataLoss);
}

TEST(ContentDecoding, NamesListsAndIdentity) {
  const std::string page = Page(200);
  std::string body = Gzip(page);
  ASSERT_TRUE(DecodeContent(" X-GZIP ", true, kCap, &body).status.ok());
  EXPECT_EQ(body, page);
  // Applied in order, undone last first: deflate, then gzip over it.
  body = Gzip(Encode(page, 15));
  ASSERT_TRUE(DecodeContent("deflate, identity,gzip", true, kCap, &body).status.ok());
  EXPECT_EQ(body, page);
  body = page;
  ASSERT_TRUE(DecodeContent("identity", true, kCap, &body).status.ok());
  EXPECT_EQ(body, page);
  std::string empty;
  ASSERT_TRUE(DecodeContent("gzip", true, kCap, &empty).status.ok());  // HEAD, 204, 304
  EXPECT_TRUE(empty.empty());
}

TEST(ContentDecoding, ConcatenatedGzipMembersAreAllDecoded) {
  const std::string a = Page(100, 1), b = Page(150, 2);
  std::string body = Gzip(a) + Gzip(b);
  ASSERT_TRUE(DecodeContent("gzip", true, kCap, &body).status.ok());
  EXPECT_EQ(body, a + b);
}

TEST(ContentDecoding, OutputPastTheCapKeepsExactlyTheCap) {
  // 64 MiB of zeros in ~64 KiB: a bomb stops at the cap, with its prefix.
  std::string body = Gzip(std::string(64 << 20, '\0'), 9);
  ASSERT_LT(body.size(), 1u << 20);
  DecodeOutcome d = DecodeContent("gzip", true, 1 << 20, &body);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.truncated);
  ASSERT_EQ(body.size(), size_t{1} << 20);
  EXPECT_EQ(body, std::string(1 << 20, '\0'));
  // Without a size in a trailer (deflate), past the cap the same way.
  const std::string page = Page(40000);
  std::string deflated = Encode(page, 15);
  d = DecodeContent("deflate", true, 100'000, &deflated);
  EXPECT_TRUE(d.truncated);
  EXPECT_EQ(deflated, page.substr(0, 100'000));
  // Exactly at the cap is not past it.
  std::string at_cap = Gzip(page);
  d = DecodeContent("gzip", true, page.size(), &at_cap);
  EXPECT_FALSE(d.truncated);
  EXPECT_EQ(at_cap, page);
}

TEST(ContentDecoding, LargeBodiesWithoutASizeHintGrowTheirBuffer) {
  const std::string page = Page(150000);  // ~10 MB; compresses far more than 4:1
  std::string body = Encode(page, 15, 9);
  ASSERT_LT(body.size() * 4, page.size());
  ASSERT_TRUE(DecodeContent("deflate", true, kCap, &body).status.ok());
  EXPECT_EQ(body, page);
}

TEST(ContentDecoding, CutStreamKeepsItsPrefixOnlyWhenTheTransferWasCut) {
  const std::string page = Page(5000);
  const std::string gz = Gzip(page);
  // The transfer stopped at the cap: what decodes is kept.
  std::string cut = gz.substr(0, gz.size() / 2);
  DecodeOutcome d = DecodeContent("gzip", false, kCap, &cut);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.truncated);
  ASSERT_GT(cut.size(), page.size() / 4);
  EXPECT_EQ(cut, page.substr(0, cut.size()));
  // A complete transfer whose stream ends early is corrupt: left encoded.
  std::string short_stream = gz.substr(0, gz.size() / 2);
  d = DecodeContent("gzip", true, kCap, &short_stream);
  EXPECT_TRUE(d.status.code() == Status::Code::kDataLoss) << d.status.ToString();
  EXPECT_EQ(short_stream, gz.substr(0, gz.size() / 2));
}

TEST(ContentDecoding, CorruptAndUnknownEncodingsAreDataLoss) {
  std::string gz = Gzip(Page(500));
  gz[gz.size() / 2] = static_cast<char>(gz[gz.size() / 2] ^ 0x55);
  const std::string before = gz;
  DecodeOutcome d = DecodeContent("gzip", true, kCap, &gz);
  EXPECT_TRUE(d.status.code() == Status::Code::kDataLoss) << d.status.ToString();
  EXPECT_EQ(gz, before);
  std::string not_gzip = "<html>plain text sent as gzip</html>";
  EXPECT_TRUE(DecodeContent("gzip", true, kCap, &not_gzip).status.code() == Status::Code::kDataLoss);
  std::string compress = "\x1f\x9d\x90";
  d = DecodeContent("compress", true, kCap, &compress);
  EXPECT_TRUE(d.status.code() == Status::Code::kDataLoss);
  EXPECT_NE(d.status.ToString().find("unsupported Content-Encoding: compress"), std::string::npos);
}

// Every prefix of a small stream, as a cut transfer: never more than the
// original, always a prefix of it, never a crash.
TEST(ContentDecoding, EveryCutOfASmallStreamDecodesToAPrefix) {
  const std::string page = Page(60);
  const std::string gz = Gzip(page);
  for (size_t n = 0; n <= gz.size(); ++n) {
    std::string body = gz.substr(0, n);
    DecodeOutcome d = DecodeContent("gzip", n < gz.size(), kCap, &body);
    if (!d.status.ok()) continue;  // a cut inside the header decodes nothing
    ASSERT_LE(body.size(), page.size()) << n;
    EXPECT_EQ(body, page.substr(0, body.size())) << n;
    EXPECT_EQ(d.truncated, n < gz.size() && n > 0) << n;
  }
}

}  // namespace
}  // namespace jikji::crawler::internal
