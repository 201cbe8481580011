// The WARC writer, read back by the independent strict reader.
#include "warc/warc.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/warc/warc_reader.h"

namespace jikji::warc {
namespace {

constexpr int64_t kT = 1'714'555'800'123'456;  // 2024-05-01T09:30:00.123456Z

TEST(Sha1Test, KnownVectors) {
  // FIPS 180 examples, and the base32 form WARC tools print.
  EXPECT_EQ(Sha1Digest(""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  EXPECT_EQ(Sha1Digest("abc"), "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
  std::string million(1'000'000, 'a');
  const std::string raw = Sha1(million);
  ASSERT_EQ(raw.size(), 20u);
  EXPECT_EQ(static_cast<unsigned char>(raw[0]), 0x34);
  EXPECT_EQ(static_cast<unsigned char>(raw[19]), 0x6f);
}

TEST(WarcDateTest, UtcWithMicrosAndCdxTimestamp) {
  EXPECT_EQ(WarcDate(kT), "2024-05-01T09:30:00.123456Z");
  EXPECT_EQ(CdxTimestamp(kT), "20240501093000");
}

TEST(WarcWriterTest, EachRecordIsOneGzipMemberThatAStrictReaderParses) {
  std::ostringstream out;
  WarcWriter writer(&out);
  const std::string body = "<html><body>안녕하세요</body></html>";
  auto info = writer.Write("warcinfo", kT, {}, "application/warc-fields", "software: jikji\r\n");
  ASSERT_TRUE(info.ok());
  auto response = writer.Write(
      "response", kT,
      {{"WARC-Target-URI", "https://a.kr/x"}, {"WARC-Payload-Digest", Sha1Digest(body)}},
      "application/http; msgtype=response",
      HttpResponseBlock(200,
                        {{"Content-Type", "text/html"},
                         {"Content-Encoding", "gzip"},
                         {"Transfer-Encoding", "chunked"}},
                        body));
  ASSERT_TRUE(response.ok());
  auto request = writer.Write(
      "request", kT, {{"WARC-Target-URI", "https://a.kr/x"}, {"WARC-Concurrent-To", response->record_id}},
      "application/http; msgtype=request", HttpRequestBlock("https://a.kr/x?q=1#frag", ""));
  ASSERT_TRUE(request.ok());
  auto revisit = writer.Write("revisit", kT + 1,
                              {{"WARC-Target-URI", "https://a.kr/x"},
                               {"WARC-Refers-To", response->record_id}},
                              "application/http; msgtype=response",
                              HttpResponseHead(200, {{"Content-Type", "text/html"}}, body.size()));
  ASSERT_TRUE(revisit.ok());
  EXPECT_FALSE(writer.Write("metadata", kT, {{"Bad", "a\r\nb"}}, "", "").ok());

  const std::string data = out.str();
  testing::ReadResult read = testing::ReadWarc(data);
  ASSERT_EQ(read.error, "");
  ASSERT_EQ(read.records.size(), 4u);
  const std::vector<std::string> types = {"warcinfo", "response", "request", "revisit"};
  const std::vector<RecordLocation> locations = {*info, *response, *request, *revisit};
  for (size_t i = 0; i < 4; ++i) {
    const auto& r = read.records[i];
    EXPECT_EQ(r.type, types[i]);
    EXPECT_EQ(r.offset, locations[i].offset);  // what a CDXJ line would say
    EXPECT_EQ(r.length, locations[i].length);
    EXPECT_EQ(r.headers.at("WARC-Record-ID"), locations[i].record_id);
    EXPECT_EQ(r.headers.at("WARC-Block-Digest"), Sha1Digest(r.block));
  }
  EXPECT_EQ(data.size(), revisit->offset + revisit->length);
  const std::string& block = read.records[1].block;
  EXPECT_EQ(block.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_EQ(block.find("Content-Encoding"), std::string::npos);  // payload stored decoded
  EXPECT_EQ(block.find("chunked"), std::string::npos);
  EXPECT_NE(block.find("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body),
            std::string::npos);
  EXPECT_EQ(read.records[2].block,
            "GET /x?q=1 HTTP/1.1\r\nHost: a.kr\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(read.records[2].headers.at("WARC-Concurrent-To"), response->record_id);
  // Record ids are distinct.
  EXPECT_NE(info->record_id, response->record_id);
  EXPECT_NE(response->record_id, request->record_id);
}

TEST(CdxjTest, LineHasSurtTimestampAndJsonLocation) {
  RecordLocation loc{123, 456, "<urn:uuid:x>"};
  EXPECT_EQ(CdxjLine("kr,a)/x", kT, "https://a.kr/x", "text/html", 200, "ABC", loc, "f.warc.gz"),
            "kr,a)/x 20240501093000 {\"url\":\"https://a.kr/x\",\"mime\":\"text/html\","
            "\"status\":\"200\",\"digest\":\"ABC\",\"length\":\"456\",\"offset\":\"123\","
            "\"filename\":\"f.warc.gz\"}\n");
}

}  // namespace
}  // namespace jikji::warc
