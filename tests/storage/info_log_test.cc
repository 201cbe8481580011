// storage/info_log.h: RocksDB's info log as Jikji writes it. Real files in
// temp directories; /dev/full stands in for a full disk.
#include "storage/info_log.h"

#include <gtest/gtest.h>

#include <cstdarg>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "storage/archive.h"
#include "tests/testing/paths.h"

namespace jikji::storage {
namespace {

using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Log(rocksdb::Logger& log, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  log.Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  va_end(ap);
}

TEST(InfoLogTest, AppendsLinesAndRotatesWhenFull) {
  TempDir tmp;
  const std::string dir = tmp.path().string();
  {
    auto log = NewInfoLog(dir, 4096);
    for (int i = 0; i < 200; ++i) Log(*log, "flush job %d done", i);
  }
  const std::string current = ReadFile(dir + "/LOG");
  const std::string old = ReadFile(dir + "/LOG.old");
  EXPECT_NE(current.find("flush job 199 done\n"), std::string::npos);
  EXPECT_NE(old.find(" done\n"), std::string::npos);
  EXPECT_LE(current.size(), 4096u + 100u);
  // A new logger appends: LOG is never renamed when a logger starts (the
  // archive may be held by another process, whose log this is).
  auto again = NewInfoLog(dir, 1 << 20);
  Log(*again, "second %s", "opening");
  const std::string after = ReadFile(dir + "/LOG");
  EXPECT_EQ(after.substr(0, current.size()), current);
  EXPECT_NE(after.find("second opening\n"), std::string::npos);
}

TEST(InfoLogTest, MissingDirectoryIsNotCreated) {
  TempDir tmp;
  const std::string dir = tmp.Sub("not-there");
  auto log = NewInfoLog(dir);
  Log(*log, "line %d", 1);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

// Read-only opens (export, get, stats, verify) leave the directory as it is.
TEST(InfoLogTest, ReadOnlyOpenWritesNoLogLines) {
  TempDir tmp;
  const std::string dir = tmp.Sub("archive");
  {
    auto archive = Archive::Open(dir);
    ASSERT_TRUE(archive.ok()) << archive.status().ToString();
  }
  const auto size = std::filesystem::file_size(dir + "/LOG");
  EXPECT_GT(size, 0u);
  ArchiveOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  {
    auto archive = Archive::Open(dir, options);
    ASSERT_TRUE(archive.ok()) << archive.status().ToString();
  }
  EXPECT_EQ(std::filesystem::file_size(dir + "/LOG"), size);
  {
    auto archive = Archive::Open(dir);  // read-write again: appends
    ASSERT_TRUE(archive.ok()) << archive.status().ToString();
  }
  EXPECT_GT(std::filesystem::file_size(dir + "/LOG"), size);
}

// A full disk under the info log: lines are dropped, the archive works on.
// (RocksDB 7.8's own logger aborted the process on its next line.)
TEST(InfoLogTest, FullDiskDropsLinesAndTheArchiveKeepsWorking) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  TempDir tmp;
  const std::string dir = tmp.Sub("archive");
  std::filesystem::create_directories(dir);
  std::filesystem::create_symlink("/dev/full", dir + "/LOG");
  {
    auto log = NewInfoLog(dir);
    for (int i = 0; i < 100; ++i) Log(*log, "line %d", i);  // must not crash
  }
  auto archive = Archive::Open(dir);
  ASSERT_TRUE(archive.ok()) << archive.status().ToString();
  Capture c;
  c.url = c.final_url = "https://news.example.kr/a/1";
  c.fetched_micros = 1'700'000'000'000'000;
  c.http_status = 200;
  c.headers = {{"Content-Type", "text/html; charset=utf-8"}};
  c.body = "<html><body><p>반도체 기사</p></body></html>";
  auto stored = (*archive)->Store(c, nullptr, 0);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_TRUE((*archive)->Flush().ok());
  auto stats = (*archive)->GetStats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->captures, 1u);
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/LOG"));
}

}  // namespace
}  // namespace jikji::storage
