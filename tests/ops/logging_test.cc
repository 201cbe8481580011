#include "ops/logging.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "ops/progress.h"
#include "tests/testing/paths.h"

namespace jikji::ops {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(LoggingTest, JsonLinesToFile) {
  testing::TempDir dir;
  LogOptions o;
  o.format = "json";
  o.file = dir.Sub("logs/jikji.log");  // directory created on demand
  auto logger = MakeLogger(o);
  ASSERT_TRUE(logger.ok()) << logger.status().ToString();
  (*logger)->info("fetched {} \"quoted\" back\\slash\nnew line\ttab \x01 한국어", "http://a.kr/");
  (*logger)->debug("below the level");
  (*logger)->warn("second");
  (*logger)->flush();
  auto lines = Lines(o.file);
  ASSERT_EQ(lines.size(), 2u);
  auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["level"], "info");
  EXPECT_EQ(first["msg"], "fetched http://a.kr/ \"quoted\" back\\slash\nnew line\ttab \x01 한국어");
  EXPECT_TRUE(first["time"].is_string());
  EXPECT_TRUE(first["thread"].is_number());
  EXPECT_EQ(nlohmann::json::parse(lines[1])["level"], "warning");
}

TEST(LoggingTest, RotatesBySizeAndKeepsMaxFiles) {
  testing::TempDir dir;
  LogOptions o;
  o.format = "json";
  o.file = dir.Sub("jikji.log");
  o.max_file_bytes = 4096;
  o.max_files = 2;
  auto logger = MakeLogger(o);
  ASSERT_TRUE(logger.ok()) << logger.status().ToString();
  const std::string payload(200, 'x');
  for (int i = 0; i < 200; ++i) (*logger)->info("line {} {}", i, payload);
  (*logger)->flush();
  // jikji.log, jikji.1.log, jikji.2.log; never a third rotated file.
  EXPECT_TRUE(fs::exists(dir.Sub("jikji.log")));
  EXPECT_TRUE(fs::exists(dir.Sub("jikji.1.log")));
  EXPECT_TRUE(fs::exists(dir.Sub("jikji.2.log")));
  EXPECT_FALSE(fs::exists(dir.Sub("jikji.3.log")));
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    ++files;
    EXPECT_LE(fs::file_size(entry.path()), 4096u) << entry.path();
    for (const auto& line : Lines(entry.path())) {
      EXPECT_TRUE(nlohmann::json::accept(line)) << line;  // whole lines only
    }
  }
  EXPECT_EQ(files, 3u);
  // The newest line is in the live file.
  auto live = Lines(dir.Sub("jikji.log"));
  ASSERT_FALSE(live.empty());
  EXPECT_EQ(nlohmann::json::parse(live.back())["msg"], "line 199 " + payload);
}

TEST(LoggingTest, NoRotationWhenMaxBytesIsZero) {
  testing::TempDir dir;
  LogOptions o;
  o.file = dir.Sub("plain.log");
  o.max_file_bytes = 0;
  auto logger = MakeLogger(o);
  ASSERT_TRUE(logger.ok());
  for (int i = 0; i < 100; ++i) (*logger)->info("text line {}", i);
  (*logger)->flush();
  auto lines = Lines(o.file);
  ASSERT_EQ(lines.size(), 100u);
  EXPECT_NE(lines[0].find("info  text line 0"), std::string::npos) << lines[0];
  EXPECT_FALSE(fs::exists(dir.Sub("plain.1.log")));
}

TEST(LoggingTest, BadOptions) {
  LogOptions o;
  o.format = "xml";
  EXPECT_TRUE(MakeLogger(o).status().IsInvalidArgument());
  o = LogOptions();
  o.level = "loud";
  EXPECT_TRUE(MakeLogger(o).status().IsInvalidArgument());
  o = LogOptions();
  o.file = "/tmp/x.log";
  o.max_files = 0;
  EXPECT_TRUE(MakeLogger(o).status().IsInvalidArgument());
  o = LogOptions();
  o.file = "/proc/definitely/not/writable.log";
  EXPECT_EQ(MakeLogger(o).status().code(), Status::Code::kIOError);
  o = LogOptions();
  o.level = "off";
  EXPECT_TRUE(MakeLogger(o).ok());
}

TEST(LoggingTest, SetupLoggingInstallsDefaultLogger) {
  testing::TempDir dir;
  LogOptions o;
  o.file = dir.Sub("d.log");
  o.format = "json";
  ASSERT_TRUE(SetupLogging(o).ok());
  spdlog::info("through the default logger");
  spdlog::default_logger()->flush();
  auto lines = Lines(o.file);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["msg"], "through the default logger");
  // Put a stderr logger back so later tests do not write into a removed dir.
  ASSERT_TRUE(SetupLogging(LogOptions()).ok());
}

// A log line written while a terminal progress line is drawn on stderr
// first erases that line (instead of being glued to its end); once the
// progress line is ended, log lines are written as they are.
TEST(LoggingTest, StderrLogLineErasesAnOpenProgressLine) {
  testing::TempDir dir;
  const std::string captured = dir.Sub("stderr.txt");
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  ASSERT_GE(saved, 0);
  const int fd = open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(dup2(fd, STDERR_FILENO), STDERR_FILENO);
  close(fd);
  {
    LogOptions o;  // stderr, text
    auto logger = MakeLogger(o);
    ManualClock clock;
    ProgressOptions po;
    po.label = "crawl";
    po.tty = true;
    Progress progress(po, &clock, Progress::DefaultSink(true));
    progress.SetTotal(10);
    clock.Advance(1'000'000);
    progress.Add(5);  // draws "\rcrawl: 5/10 ..." without a newline
    if (logger.ok()) (*logger)->warn("in the middle");
    progress.Finish();  // ends the line
    if (logger.ok()) (*logger)->warn("after the end");
    if (logger.ok()) (*logger)->flush();
    std::fflush(stderr);
    ASSERT_TRUE(logger.ok()) << logger.status().ToString();
  }
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::ifstream in(captured, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const size_t drawn = text.find("\rcrawl: 5/10 (50.0%), 5.0/s, 0 errors, ETA 1s\x1b[K");
  ASSERT_NE(drawn, std::string::npos) << text;
  const size_t middle = text.find("in the middle");
  ASSERT_NE(middle, std::string::npos) << text;
  // Between the drawn line and the log line: the erase, then the log line's
  // own start (its time stamp), no newline-less gluing.
  const size_t erase = text.find("\x1b[K\r\x1b[K", drawn);
  EXPECT_NE(erase, std::string::npos) << text;
  EXPECT_LT(erase, middle) << text;
  const size_t after = text.find("after the end");
  ASSERT_NE(after, std::string::npos) << text;
  const size_t line_start = text.rfind('\n', after);
  ASSERT_NE(line_start, std::string::npos);
  EXPECT_EQ(text.find("\r", line_start), std::string::npos) << text;
  EXPECT_FALSE(TerminalProgressLineOpen());
}

}  // namespace
}  // namespace jikji::ops
