// Progress of `jikji crawl`, `rebuild` and `export`: on a terminal (a
// pseudo-terminal from forkpty) a redrawn line on stderr with done, rate,
// errors and ETA; without one, nothing but the final summary. The daemon
// logs a progress line every --progress-interval.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/testing/http_server.h"
#include "tests/testing/paths.h"
#include "tests/testing/process.h"

namespace jikji {
namespace {

using ::jikji::testing::CommandResult;
using ::jikji::testing::FreeLoopbackPort;
using ::jikji::testing::HttpReply;
using ::jikji::testing::HttpRequest;
using ::jikji::testing::JikjiBinary;
using ::jikji::testing::ReadFile;
using ::jikji::testing::RunCommand;
using ::jikji::testing::SpawnCommand;
using ::jikji::testing::TempDir;
using ::jikji::testing::TestHttpServer;
using ::jikji::testing::WaitCommand;

constexpr int kArticles = 12;
constexpr int kReplyDelayMs = 150;  // 14 requests one at a time: >= 2 s of crawl

// Runs argv on a pseudo-terminal (stdin, stdout and stderr are its slave
// side) and returns everything written to it. exit_code is -1 when the
// command was killed after `timeout_seconds`.
CommandResult RunOnTerminal(const std::vector<std::string>& argv, int timeout_seconds = 60) {
  CommandResult result;
  int master = -1;
  winsize size{};
  size.ws_row = 24;
  size.ws_col = 200;
  pid_t pid = forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) return result;
  if (pid == 0) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  char buf[4096];
  bool killed = false;
  while (true) {
    pollfd p{master, POLLIN, 0};
    int ready = poll(&p, 1, 100);
    if (ready > 0) {
      ssize_t n = read(master, buf, sizeof(buf));
      if (n > 0) {
        result.out.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      break;  // EIO: every slave descriptor is closed (the child ended)
    }
    if (!killed && std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string Article(int k) {
  return "<html lang=\"ko\"><head><title>기사 " + std::to_string(k) +
         "</title><meta property=\"og:type\" content=\"article\"></head><body><article><h1>기사 " +
         std::to_string(k) +
         "</h1><p>과학기술정보통신부는 인공지능 기본법 시행령 개정안을 발표했다고 밝혔다. 개정안은 고영향 인공지능의 "
         "범위와 사업자 의무를 더 자세히 정했으며 업계 의견을 반영해 유예 기간도 두었다.</p><p>기사 번호 " +
         std::to_string(k) +
         "의 본문이다. 정부는 데이터센터와 반도체 공급망을 함께 점검하고 GPU 확보 계획도 다시 세우기로 했다고 "
         "관계자는 설명했다.</p><p>전문가들은 제도의 예측 가능성이 높아질 것으로 기대하면서도 후속 입법을 "
         "서둘러야 한다고 말했다.</p></article></body></html>";
}

class ProgressE2eTest : public ::testing::Test {
 protected:
  HttpReply Serve(const HttpRequest& r) {
    HttpReply reply;
    if (r.target == "/robots.txt") {
      reply = HttpReply::Text(200, "User-agent: *\nAllow: /\n", "text/plain");
    } else if (r.target == "/") {
      std::string list = "<html><body><ul>";
      for (int k = 1; k <= kArticles; ++k) {
        list += "<li><a href=\"/a/" + std::to_string(k) + ".html\">기사 " + std::to_string(k) + "</a></li>";
      }
      reply = HttpReply::Text(200, list + "</ul></body></html>");
    } else if (r.target.starts_with("/a/")) {
      reply = HttpReply::Text(200, Article(std::stoi(r.target.substr(3))));
    } else {
      reply = HttpReply::Text(404, "not found", "text/plain");
    }
    reply.delay_ms = kReplyDelayMs;
    return reply;
  }

  std::vector<std::string> CrawlArgs() {
    const std::string host = "news.test:" + std::to_string(server_.port());
    return {JikjiBinary().string(), "crawl", "--archive", tmp_.Sub("archive"), "--seed", "http://" + host + "/",
            "--resolve", host + ":127.0.0.1", "--per-host-delay", "0", "--log-level", "info"};
  }

  std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  TestHttpServer server_{[this](const HttpRequest& r) { return Serve(r); }};
  TempDir tmp_;
};

// A progress line: "crawl: 3/14 (21.4%), 6.1/s, 0 errors, ETA 2s".
const std::regex kLineWithEta(R"(\rcrawl: [0-9]+/[0-9]+ \([0-9.]+%\), [0-9.]+/s, [0-9]+ errors?, ETA [0-9]+s)");

TEST_F(ProgressE2eTest, CrawlOnATerminalRedrawsALineWithRateAndEta) {
  CommandResult r = RunOnTerminal(CrawlArgs());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, kLineWithEta)) << r.out;
  // Redrawn in place: erase-to-end after each line, and the last one (all
  // requests done) ends with a newline before the summary.
  EXPECT_NE(r.out.find("\x1b[K"), std::string::npos);
  std::smatch last;
  ASSERT_TRUE(std::regex_search(r.out, last, std::regex(R"(\rcrawl: ([0-9]+)/([0-9]+) \(100\.0%\), [0-9.]+/s, 0 errors, )"
                                                         R"(([0-9]+) pages, ([0-9]+) new\x1b\[K\r?\n)")))
      << r.out;
  EXPECT_EQ(last[1], last[2]);
  EXPECT_EQ(std::stoi(last[1]), kArticles + 2);  // robots.txt, home, articles
  EXPECT_EQ(std::stoi(last[3]), kArticles + 1);
  EXPECT_EQ(std::stoi(last[4]), kArticles);
  EXPECT_NE(r.out.find("crawl done"), std::string::npos) << r.out;
}

TEST_F(ProgressE2eTest, CrawlWithoutATerminalPrintsOnlyTheSummary) {
  CommandResult r = RunCommand(CrawlArgs(), 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string all = r.out + r.err;
  EXPECT_EQ(all.find('\r'), std::string::npos) << all;
  EXPECT_EQ(all.find("ETA"), std::string::npos) << all;
  EXPECT_EQ(all.find("/s, "), std::string::npos) << all;
  EXPECT_NE(all.find("crawl done"), std::string::npos) << all;
  // Few lines: the start line, the summary (no line per fetch at info).
  EXPECT_LE(std::count(all.begin(), all.end(), '\n'), 4) << all;
}

TEST_F(ProgressE2eTest, NoProgressFlagSilencesTheTerminal) {
  CommandResult r = RunOnTerminal(With(CrawlArgs(), {"--no-progress"}));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.find("ETA"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\rcrawl: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("crawl done"), std::string::npos) << r.out;
}

TEST_F(ProgressE2eTest, RebuildAndExportShowTheirProgressOnATerminalOnly) {
  ASSERT_EQ(RunCommand(With(CrawlArgs(), {"--no-progress"}), 60).exit_code, 0);
  const std::string archive = tmp_.Sub("archive");
  const std::string bin = JikjiBinary().string();

  // rebuild: captures (robots.txt is not stored as a capture of a page; the
  // count comes from the archive's own counter).
  CommandResult rebuild = RunOnTerminal({bin, "rebuild", "--archive", archive});
  ASSERT_EQ(rebuild.exit_code, 0) << rebuild.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(rebuild.out, m,
                                std::regex(R"(\rrebuild: ([0-9]+)/([0-9]+) \(100\.0%\), [0-9.]+/s, 0 errors\x1b\[K\r?\n)")))
      << rebuild.out;
  EXPECT_EQ(m[1], m[2]);
  EXPECT_GE(std::stoi(m[1]), kArticles + 1);
  CommandResult quiet = RunCommand({bin, "rebuild", "--archive", archive, "--restart"}, 60);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ((quiet.out + quiet.err).find('\r'), std::string::npos) << quiet.err;
  EXPECT_EQ(quiet.err.find("rebuild: "), std::string::npos) << quiet.err;
  EXPECT_NE(quiet.out.find("rebuild (extractor v"), std::string::npos) << quiet.out;

  // export: one row per article, the total from the archive's counters.
  CommandResult exported = RunOnTerminal({bin, "export", "--archive", archive, "--out", tmp_.Sub("a.jsonl")});
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  const std::string expected = "\rexport: " + std::to_string(kArticles) + "/" + std::to_string(kArticles) +
                               " (100.0%), ";
  EXPECT_NE(exported.out.find(expected), std::string::npos) << exported.out;
  std::string rows = ReadFile(tmp_.Sub("a.jsonl"));
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), kArticles);
  CommandResult warc = RunOnTerminal(
      {bin, "export", "--archive", archive, "--format", "warc", "--out", tmp_.Sub("a.warc.gz")});
  ASSERT_EQ(warc.exit_code, 0) << warc.out;
  EXPECT_TRUE(std::regex_search(warc.out, m, std::regex(R"(\rexport: ([0-9]+)/([0-9]+) \(100\.0%\))"))) << warc.out;
  EXPECT_EQ(m[1], m[2]);
  // Rows to a terminal: no progress mixed into them.
  CommandResult to_tty = RunOnTerminal({bin, "export", "--archive", archive});
  ASSERT_EQ(to_tty.exit_code, 0) << to_tty.out;
  EXPECT_EQ(to_tty.out.find("\rexport: "), std::string::npos) << to_tty.out;
  CommandResult piped = RunCommand({bin, "export", "--archive", archive}, 60);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(std::count(piped.out.begin(), piped.out.end(), '\n'), kArticles);
  EXPECT_EQ(piped.err.find("export: "), std::string::npos) << piped.err;
}

TEST_F(ProgressE2eTest, DaemonLogsAProgressLineEveryInterval) {
  const std::string host = "news.test:" + std::to_string(server_.port());
  const std::string admin = "127.0.0.1:" + std::to_string(FreeLoopbackPort());
  const std::string log = tmp_.Sub("daemon.log");  // what --log-file gets
  const std::string config = tmp_.Sub("jikji.toml");
  std::ofstream(config) << "[crawl]\nper_host_delay = 0\nresolve = [\"" << host << ":127.0.0.1\"]\n";
  int pid = SpawnCommand({JikjiBinary().string(), "daemon", "--config", config, "--archive", tmp_.Sub("archive"),
                          "--seed", "http://" + host + "/", "--admin-listen", admin, "--progress-interval", "1s",
                          "--log-level", "info", "--log-file", log},
                         tmp_.Sub("daemon.out"));
  ASSERT_GT(pid, 0);
  // 14 requests at 150 ms: the first round takes >= 2 s; wait for the
  // line that counts all of them (or give up after 30 s). The log file is
  // buffered; the progress line flushes it, so it shows while running.
  const std::regex full("daemon: " + std::to_string(kArticles + 2) +
                        R"( done, [0-9.]+/s, 0 errors, queue 0, scheduled [0-9]+, )" + std::to_string(kArticles) +
                        " versions stored, 0 not modified");
  bool seen = false;
  for (int i = 0; i < 300 && !seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen = std::regex_search(ReadFile(log), full);
  }
  kill(pid, SIGTERM);
  EXPECT_EQ(WaitCommand(pid, 15), 0);
  const std::string text = ReadFile(log);
  EXPECT_TRUE(seen) << text;
  // One line per interval, with the rate over that interval: while idle
  // after the round, 0.0/s.
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(daemon: [0-9]+ done, 0\.0/s, )"))) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);
  // One line per interval, not two: no two progress lines share a time
  // stamp (the final one at stop is at least a few ms after the last).
  std::vector<std::string> stamps;
  size_t pos = 0;
  while ((pos = text.find(" daemon: ", pos)) != std::string::npos) {
    size_t start = text.rfind('\n', pos);
    start = start == std::string::npos ? 0 : start + 1;
    if (std::isdigit(static_cast<unsigned char>(text[pos + 9]))) stamps.push_back(text.substr(start, 23));
    pos += 9;
  }
  EXPECT_GE(stamps.size(), 2u) << text;
  for (size_t i = 1; i < stamps.size(); ++i) EXPECT_NE(stamps[i], stamps[i - 1]) << text;
}

}  // namespace
}  // namespace jikji
