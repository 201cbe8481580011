// Test helpers: where fixtures live, ../shared lookup, temporary folders.
#ifndef JIKJI_TESTS_TESTING_PATHS_H_
#define JIKJI_TESTS_TESTING_PATHS_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace jikji::testing {

// The project's source root (set by CMake).
std::filesystem::path SourceDir();
// tests/fixtures/<relative>.
std::filesystem::path FixturePath(const std::string& relative);
// ../shared beside the project root, when present (CI has it; a user's clone
// may not). Tests labelled `shared` GTEST_SKIP() with a message when absent.
std::optional<std::filesystem::path> SharedDir();
// The built `jikji` binary (for end-to-end tests).
std::filesystem::path JikjiBinary();
// Reads a whole file; empty string when missing.
std::string ReadFile(const std::filesystem::path& path);
// Inflates the gzip member at data[pos] onto *out; *used = its compressed
// length. False when it is not whole, valid gzip.
bool InflateGzipMember(std::string_view data, size_t pos, std::string* out, size_t* used);
// Inflates one gzip member; empty string when `in` is not whole, valid gzip.
std::string Gunzip(std::string_view in);

// A fresh directory under $TMPDIR, removed with everything in it on
// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace jikji::testing

// Skips the current test with a reason when ../shared is absent.
#define JIKJI_REQUIRE_SHARED(var)                                                    \
  auto var##_opt = ::jikji::testing::SharedDir();                                    \
  if (!var##_opt) GTEST_SKIP() << "../shared is absent beside the project root; "    \
                                  "this test needs the shared conformance/bench data"; \
  const std::filesystem::path var = *var##_opt

#endif  // JIKJI_TESTS_TESTING_PATHS_H_
