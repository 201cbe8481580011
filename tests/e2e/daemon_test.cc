// `jikji daemon` against a loopback site whose pages change between rounds:
// new versions appear on schedule, a page that keeps changing is revisited
// more often than one that does not, /metrics parses and matches what
// happened, SIGHUP with a broken config keeps the daemon running, SIGTERM
// stops it cleanly within 10 s, and a restart on the same archive works.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/http_server.h"
#include "tests/testing/paths.h"
#include "tests/testing/process.h"

namespace jikji {
namespace {

using ::jikji::testing::FreeLoopbackPort;
using ::jikji::testing::HttpReply;
using ::jikji::testing::HttpRequest;
using ::jikji::testing::JikjiBinary;
using ::jikji::testing::ReadFile;
using ::jikji::testing::SpawnCommand;
using ::jikji::testing::TempDir;
using ::jikji::testing::TestHttpServer;
using ::jikji::testing::WaitCommand;
using Clock = std::chrono::steady_clock;

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// GET over loopback; returns the HTTP status (0 when nothing answered).
int Get(const std::string& url, std::string* body) {
  CURL* curl = curl_easy_init();
  body->clear();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2000L);
  long code = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(curl);
  return static_cast<int>(code);
}

// The value of one sample line of a Prometheus exposition, or -1.
double Sample(const std::string& text, const std::string& series) {
  size_t pos = 0;
  while ((pos = text.find(series + " ", pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') return std::stod(text.substr(pos + series.size() + 1));
    pos += series.size();
  }
  return -1;
}

std::string Article(int k, int version) {
  std::string v = std::to_string(version);
  return "<html lang=\"ko\"><head><title>기사 " + std::to_string(k) + "</title><meta property=\"og:type\" content=\"article\">"
         "</head><body><article><h1>기사 " + std::to_string(k) + "</h1>"
         "<p>과학기술정보통신부는 인공지능 기본법 시행령을 " + v + "차로 고쳐 발표했다고 밝혔다. 개정안은 고영향 인공지능의 범위와 "
         "사업자 의무를 더 자세히 정했으며 업계 의견을 반영해 유예 기간도 두었다.</p>"
         "<p>기사 번호 " + std::to_string(k) + "의 " + v + "번째 판이다. 정부는 데이터센터와 반도체 공급망을 함께 점검하고 "
         "GPU 확보 계획도 다시 세우기로 했다고 관계자는 설명했다.</p>"
         "<p>전문가들은 제도의 예측 가능성이 높아질 것으로 기대하면서도 후속 입법이 서둘러야 한다고 말했다.</p>"
         "</article></body></html>";
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_port_ = FreeLoopbackPort();
    host_ = "news.test:" + std::to_string(server_.port());
    std::ofstream(config_) << "[crawl]\nper_host_delay = 0\nresolve = [\"" << host_ << ":127.0.0.1\"]\n"
                           << "[daemon]\ninterval = \"1s\"\nrevisit_min = \"1s\"\nrevisit_max = \"4s\"\n"
                           << "fresh_period = \"0s\"\nadmin_listen = \"127.0.0.1:" << admin_port_ << "\"\n";
  }

  int Start() {
    return SpawnCommand({JikjiBinary().string(), "daemon", "--config", config_, "--archive", tmp_.Sub("archive"),
                         "--seed", "http://" + host_ + "/", "--log-level", "info"},
                        tmp_.Sub("daemon.log"));
  }

  std::string Admin(const std::string& path) { return "http://127.0.0.1:" + std::to_string(admin_port_) + path; }

  // Polls `ok` every 100 ms for up to `seconds`.
  template <typename F>
  bool WaitFor(F ok, int seconds) {
    auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < deadline) {
      if (ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  nlohmann::json Status() {
    std::string body;
    if (Get(Admin("/status"), &body) != 200) return {};
    return nlohmann::json::parse(body, nullptr, false);
  }

  HttpReply Serve(const HttpRequest& r) {
    if (r.target == "/robots.txt") return HttpReply::Text(200, "User-agent: *\nAllow: /\n", "text/plain");
    if (r.target == "/") {
      // The entry point has an ETag and never changes: revisits can be 304s.
      if (r.Header("if-none-match") == "\"home-1\"") return HttpReply::Text(304, "");
      HttpReply home = HttpReply::Text(200, "<html><body><ul><li><a href=\"/a/1.html\">하나</a></li>"
                                            "<li><a href=\"/a/2.html\">둘</a></li><li><a href=\"/a/3.html\">셋</a></li>"
                                            "</ul></body></html>");
      home.headers.emplace_back("ETag", "\"home-1\"");
      return home;
    }
    if (r.target == "/a/1.html") return HttpReply::Text(200, Article(1, edition_.load()));
    if (r.target == "/a/2.html") return HttpReply::Text(200, Article(2, ++changing_));  // new on every visit
    if (r.target == "/a/3.html") return HttpReply::Text(200, Article(3, 1));
    return HttpReply::Text(404, "<html></html>");
  }

  std::atomic<int> edition_{1};
  std::atomic<int> changing_{0};
  TestHttpServer server_{[this](const HttpRequest& r) { return Serve(r); }};
  TempDir tmp_;
  std::string config_ = tmp_.Sub("jikji.toml");
  std::string host_;
  int admin_port_ = 0;
};

TEST_F(DaemonTest, KeepsArchiveCurrentAndStopsCleanly) {
  int pid = Start();
  ASSERT_GT(pid, 0);
  std::string body;
  ASSERT_TRUE(WaitFor([&] { return Get(Admin("/readyz"), &body) == 200; }, 30)) << ReadFile(tmp_.Sub("daemon.log"));
  EXPECT_EQ(Get(Admin("/healthz"), &body), 200);

  ASSERT_TRUE(WaitFor([&] { return Status().value("/crawl/articles_new"_json_pointer, 0) == 3; }, 30))
      << Status().dump() << ReadFile(tmp_.Sub("daemon.log"));
  edition_ = 2;  // the editor corrects article 1
  ASSERT_TRUE(WaitFor([&] {
    std::string m;
    Get(Admin("/metrics"), &m);
    // Article 1's correction plus at least two of article 2's editions.
    return Sample(m, "jikji_versions_stored_total") >= 3 + 3;
  }, 30)) << ReadFile(tmp_.Sub("daemon.log"));

  // Let the schedule run a little, then compare how often each was visited.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  std::map<std::string, int> visits;
  for (const HttpRequest& r : server_.Requests()) ++visits[r.target];
  EXPECT_GT(visits["/a/2.html"], visits["/a/3.html"]) << "a changing page is revisited more often";
  EXPECT_GE(visits["/a/3.html"], 2) << "unchanged pages are still revisited";
  EXPECT_GE(visits["/"], 3) << "the entry point comes back every interval";
  int conditional_home = 0;
  for (const HttpRequest& r : server_.Requests()) {
    conditional_home += r.target == "/" && r.Header("if-none-match") == "\"home-1\"";
  }
  EXPECT_GE(conditional_home, visits["/"] - 1) << "entry points are revisited with a conditional GET";

  std::string metrics;
  ASSERT_EQ(Get(Admin("/metrics"), &metrics), 200);
  double fetches_200 = Sample(metrics, "jikji_fetches_total{host=\"http://" + host_ + "\",status=\"200\"}");
  int served_200 = 0;
  for (const HttpRequest& r : server_.Requests()) served_200 += r.target != "/missing";
  EXPECT_GT(fetches_200, 0) << metrics;
  EXPECT_LE(fetches_200, served_200) << "the daemon cannot count more fetches than the server answered";
  EXPECT_GE(Sample(metrics, "jikji_up"), 1);

  // A broken config on SIGHUP is rejected; the daemon keeps running.
  std::ofstream(config_) << "[crawl\nthis is not toml\n";
  ASSERT_EQ(kill(pid, SIGHUP), 0);
  ASSERT_TRUE(WaitFor([&] {
    std::string m;
    Get(Admin("/metrics"), &m);
    return Sample(m, "jikji_config_reloads_total{result=\"error\"}") == 1;
  }, 10)) << ReadFile(tmp_.Sub("daemon.log"));
  EXPECT_EQ(Get(Admin("/healthz"), &body), 200);
  size_t before = server_.Requests().size();
  EXPECT_TRUE(WaitFor([&] { return server_.Requests().size() > before; }, 10)) << "still crawling";

  // SIGTERM: out within 10 s, exit code 0.
  auto t0 = Clock::now();
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(WaitCommand(pid, 15), 0) << ReadFile(tmp_.Sub("daemon.log"));
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10));

  // A restart on the same archive picks up the schedule.
  SetUp();  // a valid config again
  pid = Start();
  ASSERT_TRUE(WaitFor([&] { return Get(Admin("/readyz"), &body) == 200; }, 30)) << ReadFile(tmp_.Sub("daemon.log"));
  nlohmann::json s = Status();
  EXPECT_GT(s.value("/crawl/scheduled"_json_pointer, 0), 0) << s.dump();
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(WaitCommand(pid, 15), 0);
}

}  // namespace
}  // namespace jikji
