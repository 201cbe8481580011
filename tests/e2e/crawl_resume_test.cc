// `jikji crawl` killed with SIGKILL and started again resumes where it was:
// nothing that had been stored is fetched again, nothing queued is lost.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

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
using ::jikji::testing::RunCommand;
using ::jikji::testing::SpawnCommand;
using ::jikji::testing::TempDir;
using ::jikji::testing::TestHttpServer;
using ::jikji::testing::WaitCommand;

constexpr int kPages = 160;

const char* kWords[] = {"영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"};

// Korean spelled-out digits, so every page's text differs in more than one token.
std::string Spell(int n) {
  std::string out;
  for (char c : std::to_string(n)) out += std::string(kWords[c - '0']) + " ";
  return out;
}

// A binary tree of article pages: /n/K.html links to 2K and 2K+1.
HttpReply Serve(const HttpRequest& r) {
  if (r.target == "/robots.txt") return HttpReply::Text(200, "User-agent: *\nAllow: /\n", "text/plain");
  int k = 0;
  if (std::sscanf(r.target.c_str(), "/n/%d.html", &k) != 1 || k < 1 || k > kPages) {
    return HttpReply::Text(404, "<html><body>없음</body></html>");
  }
  std::string links;
  for (int child : {2 * k, 2 * k + 1}) {
    if (child <= kPages) links += "<li><a href=\"/n/" + std::to_string(child) + ".html\">기사 " + std::to_string(child) + "</a></li>";
  }
  std::string id = Spell(k);
  std::string body = "<html lang=\"ko\"><head><title>정책 기사 " + std::to_string(k) +
                     "</title><meta property=\"og:type\" content=\"article\"></head><body>"
                     "<nav><ul>" + links + "</ul></nav><article><h1>정책 기사 " + std::to_string(k) + "</h1>"
                     "<p>과학기술정보통신부는 " + id + "번째 회의에서 인공지능 기본법 시행령의 세부 기준을 논의했다고 밝혔다. "
                     "참석자들은 고영향 인공지능의 범위와 사업자 의무를 두고 " + id + "개의 쟁점을 검토했다.</p>"
                     "<p>업계는 규제의 예측 가능성을 높여야 한다고 주장했고 정부는 " + id + "차 공청회를 열어 의견을 더 듣기로 했다. "
                     "전문가들은 데이터센터와 반도체 공급망 정책도 함께 살펴야 한다고 말했다.</p>"
                     "<p>이번 논의 결과는 다음 달 발표될 예정이며 관계 부처는 " + id + "건의 후속 과제를 정리하고 있다.</p>"
                     "</article></body></html>";
  HttpReply reply = HttpReply::Text(200, std::move(body));
  reply.delay_ms = 25;  // 160 pages at 2 connections: ~2 s, past both kills
  return reply;
}

std::set<std::string> StoredUrls(const std::string& archive) {
  auto r = RunCommand({JikjiBinary().string(), "export", "--archive", archive}, 60);
  std::set<std::string> urls;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) urls.insert(nlohmann::json::parse(line)["url"].get<std::string>());
  }
  return urls;
}

// `jikji crawl` of the tree on `host` ("news.test:PORT") into `archive`.
std::vector<std::string> CrawlArgs(const std::string& archive, const std::string& host) {
  return {JikjiBinary().string(), "crawl", "--archive", archive, "--seed",
          "http://" + host + "/n/1.html", "--resolve", host + ":127.0.0.1",
          "--per-host-delay", "0", "--per-host-connections", "2", "--concurrency", "2",
          "--max-depth", "20", "--log-level", "warn"};
}

// None of `urls` was requested from `server` since its `from`-th request.
void ExpectNoneRequested(const TestHttpServer& server, size_t from, const std::string& host,
                         const std::set<std::string>& urls) {
  auto requests = server.Requests();
  for (size_t i = from; i < requests.size(); ++i) {
    std::string url = "http://" + host + requests[i].target;
    EXPECT_FALSE(urls.count(url)) << "fetched again after the restart: " << url;
  }
}

// The tree served on loopback as "news.test", and a crawl of it.
class CrawlResumeTest : public ::testing::Test {
 protected:
  TestHttpServer server_{Serve};
  TempDir tmp_;
  std::string archive_ = tmp_.Sub("archive");
  std::string host_ = "news.test:" + std::to_string(server_.port());
  std::vector<std::string> args_ = CrawlArgs(archive_, host_);
};

TEST_F(CrawlResumeTest, KilledCrawlResumesWithoutRefetchingStoredPagesOrLosingQueued) {
  // Kill it twice at different moments, then let it finish.
  std::set<std::string> stored_before_last_kill;
  for (int kill_after_ms : {500, 900}) {
    int pid = SpawnCommand(args_, tmp_.Sub("crawl.log"));
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    EXPECT_EQ(WaitCommand(pid, 30), -1) << "the crawl ended before it could be killed; slow the site down";
    stored_before_last_kill = StoredUrls(archive_);
    ASSERT_LT(stored_before_last_kill.size(), static_cast<size_t>(kPages));
  }
  ASSERT_FALSE(stored_before_last_kill.empty()) << "nothing was stored before the kill";
  size_t requests_before_restart = server_.Requests().size();

  int pid = SpawnCommand(args_, tmp_.Sub("crawl.log"));
  ASSERT_EQ(WaitCommand(pid, 120), 0) << testing::ReadFile(tmp_.Sub("crawl.log"));

  // After the restart, nothing stored before it was fetched again.
  ExpectNoneRequested(server_, requests_before_restart, host_, stored_before_last_kill);
  // Nothing queued was lost: every page of the tree is in the archive.
  std::set<std::string> stored = StoredUrls(archive_);
  EXPECT_EQ(stored.size(), static_cast<size_t>(kPages)) << testing::ReadFile(tmp_.Sub("crawl.log"));
}

// A disk that fills up mid-crawl, simulated with a file size limit (a write
// past it fails with EFBIG, as a full disk's fails with ENOSPC): the crawl
// stops with an error naming the cause, and once there is room again it
// resumes and ends with every page, none fetched twice.
TEST_F(CrawlResumeTest, FullDiskStopsTheCrawlClearlyAndItResumesLosingNothing) {
  // 256 blocks of 512 bytes (128 KB) per file; SIGXFSZ ignored so that the
  // write fails instead of the signal killing the process.
  std::vector<std::string> limited = {"/bin/sh", "-c",
                                     "trap '' XFSZ; ulimit -f 256; exec \"$0\" \"$@\""};
  limited.insert(limited.end(), args_.begin(), args_.end());
  auto full = RunCommand(limited, 120);
  EXPECT_NE(full.exit_code, 0) << "the crawl fit under the limit; lower it\n" << full.err;
  EXPECT_NE(full.exit_code, -1) << "killed, not stopped: " << full.err;
  EXPECT_NE(full.err.find("crawl failed"), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("File too large"), std::string::npos) << full.err;
  // One error line for the write that failed, not one per page in flight.
  size_t lines = 0;
  for (size_t at = full.err.find("archive write failed for"); at != std::string::npos;
       at = full.err.find("archive write failed for", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << full.err;
  std::set<std::string> stored_before = StoredUrls(archive_);
  ASSERT_LT(stored_before.size(), static_cast<size_t>(kPages));
  ASSERT_FALSE(stored_before.empty()) << full.err;
  size_t requests_before = server_.Requests().size();

  auto resumed = RunCommand(args_, 120);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  ExpectNoneRequested(server_, requests_before, host_, stored_before);
  EXPECT_EQ(StoredUrls(archive_).size(), static_cast<size_t>(kPages)) << resumed.err;
  auto verify = RunCommand({JikjiBinary().string(), "verify", "--archive", archive_}, 60);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace jikji
