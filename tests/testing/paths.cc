#include "tests/testing/paths.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include <zlib.h>

namespace jikji::testing {

std::filesystem::path SourceDir() { return JIKJI_SOURCE_DIR; }

std::filesystem::path FixturePath(const std::string& relative) {
  return SourceDir() / "tests" / "fixtures" / relative;
}

std::optional<std::filesystem::path> SharedDir() {
  if (const char* env = std::getenv("JIKJI_SHARED_DIR"); env && *env) {
    if (std::filesystem::is_directory(env)) return std::filesystem::path(env);
    return std::nullopt;
  }
  auto dir = SourceDir().parent_path() / "shared";
  if (std::filesystem::is_directory(dir / "conformance")) return dir;
  return std::nullopt;
}

std::filesystem::path JikjiBinary() { return JIKJI_CLI_PATH; }

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool InflateGzipMember(std::string_view data, size_t pos, std::string* out, size_t* used) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + pos));
  zs.avail_in = static_cast<uInt>(data.size() - pos);
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out->append(buf, sizeof(buf) - zs.avail_out);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
  }
  *used = zs.total_in;
  inflateEnd(&zs);
  return rc == Z_STREAM_END;
}

std::string Gunzip(std::string_view in) {
  std::string out;
  size_t used = 0;
  return InflateGzipMember(in, 0, &out, &used) ? out : std::string();
}

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::filesystem::path base = tmp && *tmp ? tmp : "/tmp";
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = base / ("jikji-test-" + std::to_string(rd()));
    std::error_code ec;
    if (std::filesystem::create_directory(candidate, ec)) {
      path_ = candidate;
      return;
    }
  }
  std::abort();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace jikji::testing
