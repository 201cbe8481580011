// html5lib-tests encoding/ cases (../shared/conformance/html5lib-encoding)
// run through BOM sniffing and the 1024-byte <meta> prescan, with the
// windows-1252 fallback those tests assume. Cases that need more than the
// prescan (a <meta> past byte 1024, or script) are expected to fail; the
// test asserts that every failure is such a case.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "parser/charset.h"
#include "tests/testing/paths.h"

namespace jikji::parser {
namespace {

struct Case {
  std::string file;
  int number;  // 1-based within the file
  std::string data;
  std::string expected;
};

// The .dat format: "#data\n<bytes>\n#encoding\n<label>\n\n" per case.
std::vector<Case> ReadCases(const std::filesystem::path& path) {
  std::vector<Case> cases;
  std::string all = testing::ReadFile(path);
  size_t pos = 0;
  int number = 0;
  while ((pos = all.find("#data\n", pos)) != std::string::npos) {
    size_t data_begin = pos + 6;
    size_t enc = all.find("\n#encoding\n", data_begin);
    if (enc == std::string::npos) break;
    size_t label_begin = enc + 11;
    size_t label_end = all.find('\n', label_begin);
    if (label_end == std::string::npos) label_end = all.size();
    cases.push_back({path.filename().string(), ++number, all.substr(data_begin, enc - data_begin),
                     all.substr(label_begin, label_end - label_begin)});
    pos = label_end;
  }
  return cases;
}

std::string PrescanOnlySniff(const std::string& data) {
  SniffResult bom = SniffEncoding(data.substr(0, 3), "");
  if (bom.source == "bom") return bom.encoding;
  std::string meta = PrescanMeta(data);
  return meta.empty() ? "windows-1252" : meta;
}

// True when the declaration that decides the answer starts past the
// prescan window: the first "<meta" of the document begins after byte 1024.
bool NeedsMoreThanPrescan(const Case& c) {
  std::string lower;
  for (char ch : c.data) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  size_t first = lower.find("<meta");
  return first != std::string::npos && first + 5 > 1024;
}

TEST(Html5libEncoding, PrescanPassRate) {
  JIKJI_REQUIRE_SHARED(shared);
  std::filesystem::path dir = shared / "conformance" / "html5lib-encoding";
  std::vector<Case> cases;
  for (const char* f : {"tests1.dat", "tests2.dat", "test-yahoo-jp.dat"}) {
    std::vector<Case> more = ReadCases(dir / f);
    ASSERT_FALSE(more.empty()) << "no cases read from " << (dir / f);
    cases.insert(cases.end(), more.begin(), more.end());
  }
  ASSERT_EQ(cases.size(), 82u) << "the README lists 82 cases usable without scripting";
  int passed = 0;
  std::vector<std::string> failures;
  for (const Case& c : cases) {
    std::string want = EncodingForLabel(c.expected);
    ASSERT_FALSE(want.empty()) << c.file << " #" << c.number << ": unknown label " << c.expected;
    std::string got = PrescanOnlySniff(c.data);
    if (got == want) {
      ++passed;
      continue;
    }
    failures.push_back(c.file + " #" + std::to_string(c.number) + ": want " + want + " got " + got);
    EXPECT_TRUE(NeedsMoreThanPrescan(c))
        << c.file << " #" << c.number << " fails although its declaration is in the window: want "
        << want << ", got " << got;
  }
  std::printf("html5lib encoding: %d of %zu pass with BOM + 1024-byte prescan\n", passed,
              cases.size());
  for (const std::string& f : failures) std::printf("  fail (meta past the window): %s\n", f.c_str());
  // A prescan-only sniffer fails exactly the 7 cases whose <meta> ends past
  // byte 1024 (tests1.dat #48..#54).
  EXPECT_EQ(failures.size(), 7u);
  EXPECT_EQ(passed, static_cast<int>(cases.size()) - 7);
}

TEST(Html5libEncoding, ScriptedCaseIsOutOfScope) {
  JIKJI_REQUIRE_SHARED(shared);
  // document.write() of a <meta>: a crawler without JS keeps the fallback.
  std::vector<Case> cases = ReadCases(shared / "conformance" / "html5lib-encoding" / "scripted" /
                                      "tests1.dat");
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(PrescanOnlySniff(cases[0].data), "windows-1252");
  EXPECT_NE(EncodingForLabel(cases[0].expected), "windows-1252");
}

}  // namespace
}  // namespace jikji::parser
