// The strict test reader (warc_reader.h) against warcio's conformance files
// in ../shared/conformance/warc: it must read the valid WARCs with the
// expected record offsets, lengths and types, and reject the broken ones.
// warc_test.cc runs the same reader over our writer's output, so our output
// is held to what parses like these valid files.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/testing/paths.h"
#include "tests/warc/warc_reader.h"
#include "warc/warc.h"

namespace jikji {
namespace {

using json = nlohmann::json;

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json Case(const std::filesystem::path& dir, const std::string& id) {
  std::ifstream in(dir / "cases.jsonl");
  for (std::string line; std::getline(in, line);) {
    json c = json::parse(line);
    if (c["id"] == id) return c;
  }
  return json();
}

void ExpectIndex(const std::filesystem::path& dir, const std::string& id) {
  json c = Case(dir, id);
  ASSERT_FALSE(c.is_null()) << id;
  const std::string data = Slurp(dir / c["file"].get<std::string>());
  ASSERT_FALSE(data.empty());
  testing::ReadResult r = testing::ReadWarc(data);
  ASSERT_EQ(r.error, "") << id;
  const json& want = c["expect"]["records"];
  ASSERT_EQ(r.records.size(), want.size()) << id;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(r.records[i].offset, want[i]["offset"].get<uint64_t>()) << id << " #" << i;
    EXPECT_EQ(r.records[i].length, want[i]["length"].get<uint64_t>()) << id << " #" << i;
    EXPECT_EQ(r.records[i].type, want[i]["type"].get<std::string>()) << id << " #" << i;
    if (want[i].contains("target_uri")) {
      EXPECT_EQ(r.records[i].headers["WARC-Target-URI"], want[i]["target_uri"].get<std::string>());
    }
    // Block digests of the valid files agree with our SHA-1 / base32.
    auto digest = r.records[i].headers.find("WARC-Block-Digest");
    if (digest != r.records[i].headers.end() && digest->second.starts_with("sha1:")) {
      EXPECT_EQ(digest->second, warc::Sha1Digest(r.records[i].block)) << id << " #" << i;
    }
  }
}

TEST(WarcConformanceTest, Warcio_ValidGzipWarcIndex) {
  JIKJI_REQUIRE_SHARED(shared);
  ExpectIndex(shared / "conformance/warc", "warc-00");
}

TEST(WarcConformanceTest, Warcio_ValidPlainWarcIndex) {
  JIKJI_REQUIRE_SHARED(shared);
  ExpectIndex(shared / "conformance/warc", "warc-01");
}

TEST(WarcConformanceTest, Warcio_BrokenFilesAreRejected) {
  JIKJI_REQUIRE_SHARED(shared);
  const auto dir = shared / "conformance/warc";
  for (const char* id : {"warc-11", "warc-12", "warc-15", "warc-16"}) {
    json c = Case(dir, id);
    ASSERT_FALSE(c.is_null()) << id;
    const std::string data = Slurp(dir / c["file"].get<std::string>());
    ASSERT_FALSE(data.empty()) << id;
    EXPECT_NE(testing::ReadWarc(data).error, "") << id << ": " << c["note"];
  }
}

TEST(WarcConformanceTest, OurOutputParsesLikeTheValidFiles) {
  JIKJI_REQUIRE_SHARED(shared);
  // The reference: the valid gzip WARC reads cleanly, one member per record.
  testing::ReadResult reference =
      testing::ReadWarc(Slurp(shared / "conformance/warc/files/example.warc.gz"));
  ASSERT_EQ(reference.error, "");
  std::ostringstream out;
  warc::WarcWriter writer(&out);
  const std::string body = "<html>본문</html>";
  auto resp = writer.Write("response", 1'700'000'000'000'000,
                           {{"WARC-Target-URI", "http://example.com/"}},
                           "application/http; msgtype=response",
                           warc::HttpResponseBlock(200, {{"Content-Type", "text/html"}}, body));
  ASSERT_TRUE(resp.ok());
  testing::ReadResult ours = testing::ReadWarc(out.str());
  ASSERT_EQ(ours.error, "");
  ASSERT_EQ(ours.records.size(), 1u);
  // Same mandatory fields as the reference response record.
  const testing::ReadRecord* ref_response = nullptr;
  for (const auto& r : reference.records) {
    if (r.type == "response") ref_response = &r;
  }
  ASSERT_NE(ref_response, nullptr);
  for (const char* field : {"WARC-Type", "WARC-Record-ID", "WARC-Date", "WARC-Target-URI",
                            "Content-Type", "Content-Length", "WARC-Block-Digest"}) {
    EXPECT_EQ(ref_response->headers.count(field), 1u) << field;
    EXPECT_EQ(ours.records[0].headers.count(field), 1u) << field;
  }
  EXPECT_EQ(ours.records[0].headers.at("Content-Type"), ref_response->headers.at("Content-Type"));
}

}  // namespace
}  // namespace jikji
