// `jikji backup DIR` while `jikji crawl` holds the archive: the backup is a
// live copy (RocksDB secondary instance) that verifies clean and holds the
// captures stored so far; the crawl is not disturbed.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/http_server.h"
#include "tests/testing/paths.h"
#include "tests/testing/process.h"

namespace jikji {
namespace {

using ::jikji::testing::HttpReply;
using ::jikji::testing::HttpRequest;
using ::jikji::testing::JikjiBinary;
using ::jikji::testing::ReadFile;
using ::jikji::testing::RunCommand;
using ::jikji::testing::SpawnCommand;
using ::jikji::testing::TempDir;
using ::jikji::testing::TestHttpServer;
using ::jikji::testing::WaitCommand;

// A binary tree of article pages far larger than the crawl gets through:
// /n/K.html links to 2K and 2K+1. Each answer waits kDelayMs, so the crawl
// is still running when the backup is taken.
constexpr int kPages = 1 << 20;
constexpr int kDelayMs = 40;
// Requests the crawler must have made before the backup (so it has stored
// pages), and the bound on waiting for them.
constexpr size_t kRequestsBeforeBackup = 30;
constexpr int kMaxWaitMs = 60'000;

HttpReply Serve(const HttpRequest& r) {
  if (r.target == "/robots.txt") return HttpReply::Text(200, "User-agent: *\nAllow: /\n", "text/plain");
  int k = 0;
  if (std::sscanf(r.target.c_str(), "/n/%d.html", &k) != 1 || k < 1 || k > kPages) {
    return HttpReply::Text(404, "<html><body>없음</body></html>");
  }
  std::string links;
  for (int child : {2 * k, 2 * k + 1}) {
    if (child <= kPages) {
      links += "<li><a href=\"/n/" + std::to_string(child) + ".html\">기사 " + std::to_string(child) + "</a></li>";
    }
  }
  const std::string n = std::to_string(k);
  std::string body = "<html lang=\"ko\"><head><title>정책 기사 " + n +
                     "</title><meta property=\"og:type\" content=\"article\"></head><body>"
                     "<nav><ul>" + links + "</ul></nav><article><h1>정책 기사 " + n + "</h1>"
                     "<p>과학기술정보통신부는 " + n + "번째 회의에서 인공지능 기본법 시행령의 세부 기준을 "
                     "논의했다고 밝혔다. 참석자들은 고영향 인공지능의 범위와 사업자 의무를 두고 " + n +
                     "개의 쟁점을 검토했다.</p><p>업계는 규제의 예측 가능성을 높여야 한다고 주장했고 정부는 " + n +
                     "차 공청회를 열어 의견을 더 듣기로 했다.</p></article></body></html>";
  HttpReply reply = HttpReply::Text(200, std::move(body));
  reply.delay_ms = kDelayMs;
  return reply;
}

// True while the spawned child has not exited (it is not reaped here).
bool Running(int pid) { return waitpid(pid, nullptr, WNOHANG) == 0; }

uint64_t Captures(const std::string& archive) {
  auto r = RunCommand({JikjiBinary().string(), "stats", "--archive", archive, "--json"}, 60);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return 0;
  return nlohmann::json::parse(r.out)["captures"].get<uint64_t>();
}

void ExpectVerifiesClean(const std::string& archive) {
  auto r = RunCommand({JikjiBinary().string(), "verify", "--archive", archive}, 60);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(": 0 problems"), std::string::npos) << r.out;
}

TEST(BackupLiveTest, BackupWhileACrawlHoldsTheArchiveIsAConsistentLiveCopy) {
  TestHttpServer server(Serve);
  TempDir tmp;
  const std::string archive = tmp.Sub("archive");
  const std::string backup = tmp.Sub("backup");
  const std::string host = "news.test:" + std::to_string(server.port());
  const int pid = SpawnCommand(
      {JikjiBinary().string(), "crawl", "--archive", archive, "--seed", "http://" + host + "/n/1.html",
       "--resolve", host + ":127.0.0.1", "--per-host-delay", "0", "--per-host-connections", "2",
       "--concurrency", "2", "--max-depth", "40", "--max-time", "120s", "--log-level", "warn"},
      tmp.Sub("crawl.log"));
  ASSERT_GT(pid, 0);
  struct Reaper {
    int pid;
    ~Reaper() {
      if (pid > 0) {
        kill(pid, SIGKILL);
        WaitCommand(pid, 30);
      }
    }
  } reaper{pid};

  for (int waited = 0; server.Requests().size() < kRequestsBeforeBackup && waited < kMaxWaitMs; waited += 20) {
    ASSERT_TRUE(Running(pid)) << "the crawl ended early: " << ReadFile(tmp.Sub("crawl.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(server.Requests().size(), kRequestsBeforeBackup) << ReadFile(tmp.Sub("crawl.log"));

  ASSERT_TRUE(Running(pid)) << "the crawl ended before the backup";
  auto r = RunCommand({JikjiBinary().string(), "backup", "--archive", archive, backup}, 120);
  const size_t requests_after_backup = server.Requests().size();
  // Still running afterwards: the crawl held the archive (opened at its
  // start, closed at its end) the whole time the backup ran.
  ASSERT_TRUE(Running(pid)) << "the crawl ended during the backup";
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("live copy"), std::string::npos) << r.out;

  ExpectVerifiesClean(backup);
  const uint64_t copied = Captures(backup);
  EXPECT_GT(copied, 0u);
  EXPECT_LE(copied, requests_after_backup);

  // The crawl goes on after the backup and stops cleanly on SIGTERM.
  const size_t target = requests_after_backup + 5;
  for (int waited = 0; server.Requests().size() < target && waited < kMaxWaitMs; waited += 20) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(server.Requests().size(), target) << "the crawl stalled after the backup";
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  ASSERT_EQ(WaitCommand(pid, 60), 0) << ReadFile(tmp.Sub("crawl.log"));
  reaper.pid = -1;

  ExpectVerifiesClean(archive);
  EXPECT_GT(Captures(archive), copied);
  // Now that nobody holds it, a second backup is a checkpoint.
  auto again = RunCommand({JikjiBinary().string(), "backup", "--archive", archive, tmp.Sub("backup2")}, 60);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("checkpoint"), std::string::npos) << again.out;
  ExpectVerifiesClean(tmp.Sub("backup2"));
  // And the existing destination is refused.
  auto exists = RunCommand({JikjiBinary().string(), "backup", "--archive", archive, backup}, 60);
  EXPECT_EQ(exists.exit_code, 1);
  EXPECT_NE(exists.err.find("exists"), std::string::npos) << exists.err;
}

}  // namespace
}  // namespace jikji
