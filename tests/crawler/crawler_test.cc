// The crawl loop (crawler/crawler.h) against a hostile web on loopback.
//
// Every test runs the real Crawler with a real Archive in a TempDir and one
// TestHttpServer on 127.0.0.1. Several host names ("a.test", "b.test", ...)
// are pinned to that one server with CrawlSettings.resolve, like curl
// --resolve; the Host header routes each request to that host's pages. The
// assertions read what the server saw (targets, and its own receive
// timestamps for politeness) and what the archive recorded.
//
// Timing: gaps are measured between the server's receive times, which a
// crawler cannot move earlier than its own schedule allows; a small
// tolerance covers clock granularity. Every crawl runs under a watchdog
// that stops it after kWatchdog, so no test can hang.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "config/config.h"
#include "crawler/crawler.h"
#include "parser/extractor.h"
#include "storage/archive.h"
#include "tests/testing/http_server.h"
#include "tests/testing/paths.h"
#include "url/url.h"

namespace jikji::crawler {
namespace {

using ::jikji::testing::HttpReply;
using ::jikji::testing::HttpRequest;
using ::jikji::testing::TempDir;
using ::jikji::testing::TestHttpServer;

// A crawl that has not finished after this is stopped and the test fails.
constexpr auto kWatchdog = std::chrono::seconds(25);
// Clock granularity allowed when comparing server receive times with a
// crawler's delay (the crawler schedules on a monotonic clock, the server
// stamps wall-clock time).
constexpr int64_t kToleranceMicros = 5'000;

// ---------------------------------------------------------------------------
// Realistic pages: Korean news prose, distinct per page id.

constexpr const char* kSentences[] = {
    "과학기술정보통신부는 인공지능 기본법 시행령 초안을 공개하고 업계 의견 수렴에 들어갔다고 밝혔다.",
    "초안은 고영향 인공지능의 범위를 구체적으로 정하고 사업자가 지켜야 할 위험 관리 방안을 담았다.",
    "정부는 국가 인공지능 컴퓨팅 센터에 그래픽처리장치 일만 장을 확보하는 계획을 발표했다.",
    "반도체 업계는 고대역폭 메모리 공급이 내년까지 빠듯할 것으로 내다보며 설비 투자를 늘리고 있다.",
    "데이터센터 전력 수요가 급증하면서 수도권 송전망 확충이 시급하다는 지적이 잇따르고 있다.",
    "국회 과학기술정보방송통신위원회는 다음 달 공청회를 열어 전문가 의견을 듣기로 했다.",
    "업계는 규제의 예측 가능성이 높아졌다는 점을 환영하면서도 과태료 유예 기간을 요구했다.",
    "소버린 인공지능을 둘러싼 논의는 공공 데이터 개방과 한국어 말뭉치 구축으로 이어지고 있다.",
    "전문가들은 생성형 인공지능 결과물 표시 의무가 국제 기준과 어긋나지 않도록 해야 한다고 말했다.",
    "스타트업 단체는 중소기업이 규제 대응 비용을 감당할 수 있도록 정부 지원이 필요하다고 강조했다.",
    "지방자치단체들은 데이터센터 유치를 위해 전력과 용수 공급 계획을 앞다퉈 내놓고 있다.",
    "정부는 반도체 특별법 처리를 서둘러 연구개발 인력의 근로시간 규제를 완화하겠다는 입장이다.",
};
constexpr int kSentenceCount = sizeof(kSentences) / sizeof(kSentences[0]);

// Four paragraphs of two or three sentences; `id` makes the text unique.
std::string ArticleBody(int id) {
  std::string html;
  for (int p = 0; p < 4; ++p) {
    html += "<p>";
    for (int s = 0; s < 3; ++s) {
      html += kSentences[(id * 5 + p * 3 + s) % kSentenceCount];
      html += ' ';
    }
    html += "이 내용은 " + std::to_string(id) + "번 기사의 " + std::to_string(p + 1) +
            "번째 문단으로, 관계 부처 협의를 거쳐 확정될 예정이다.</p>\n";
  }
  return html;
}

std::string LinkList(const std::vector<std::string>& links) {
  std::string html = "<ul class=\"links\">";
  for (const std::string& l : links) html += "<li><a href=\"" + l + "\">관련 기사 보기</a></li>";
  return html + "</ul>\n";
}

// An article page with the usual chrome and `links` in its aside.
std::string ArticlePage(int id, const std::vector<std::string>& links = {}) {
  std::string title = "인공지능 정책 동향 " + std::to_string(id) + "호: 시행령과 GPU 확보 경쟁";
  return "<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">\n<title>" + title +
         " - 테스트뉴스</title>\n<meta property=\"og:type\" content=\"article\">\n"
         "<meta property=\"og:title\" content=\"" + title + "\">\n"
         "<meta property=\"article:published_time\" content=\"2025-03-0" + std::to_string(1 + id % 9) +
         "T09:00:00+09:00\">\n<meta name=\"author\" content=\"김기자\">\n</head><body>\n"
         "<nav><a href=\"/\">홈</a> <a href=\"#top\">맨 위로</a></nav>\n"
         "<article><h1>" + title + "</h1>\n<div class=\"article-body\">\n" + ArticleBody(id) +
         "<p class=\"byline\">김기자 reporter@news.test</p>\n</div></article>\n"
         "<aside>" + LinkList(links) + "</aside>\n"
         "<footer><p>Copyright ⓒ 테스트뉴스. 무단전재 및 재배포 금지</p></footer>\n</body></html>\n";
}

// A section page: a list of links, not an article.
std::string ListPage(const std::vector<std::string>& links) {
  return "<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\"><title>정책 - 테스트뉴스</title>"
         "</head><body>\n<nav><a href=\"/\">홈</a></nav>\n<h1>정책 기사 목록</h1>\n" + LinkList(links) +
         "<footer><p>Copyright ⓒ 테스트뉴스</p></footer>\n</body></html>\n";
}

std::vector<std::string> ArticleLinks(int first, int count) {
  std::vector<std::string> links;
  for (int i = first; i < first + count; ++i) links.push_back("/news/" + std::to_string(i) + ".html");
  return links;
}

// ---------------------------------------------------------------------------
// A small web of named hosts behind one loopback server.
//
// Thread safety: routes must be set before the crawl starts (the server's
// threads read them); Requests() may be called at any time.
class FakeWeb {
 public:
  using Route = std::function<HttpReply(const HttpRequest&)>;

  FakeWeb() : server_([this](const HttpRequest& r) { return Serve(r); }) {}

  int port() const { return server_.port(); }
  // "http://HOST:PORT" + path.
  std::string Url(const std::string& host, const std::string& path) const {
    return "http://" + host + ":" + std::to_string(port()) + path;
  }
  // The archive's key of that URL (the crawler stores normalized URLs).
  std::string Key(const std::string& host, const std::string& path) const {
    auto n = url::NormalizeString(Url(host, path));
    return n.ok() ? *n : Url(host, path);
  }
  std::string Resolve(const std::string& host) const {
    return host + ":" + std::to_string(port()) + ":127.0.0.1";
  }

  // `target` is matched exactly ("/path?query"); otherwise 404.
  void Add(const std::string& host, const std::string& target, Route route) {
    routes_[host + " " + target] = std::move(route);
  }
  void Add(const std::string& host, const std::string& target, HttpReply reply) {
    Add(host, target, [reply](const HttpRequest&) { return reply; });
  }
  void Html(const std::string& host, const std::string& target, std::string body) {
    Add(host, target, HttpReply::Text(200, std::move(body)));
  }
  void Robots(const std::string& host, std::string body) {
    Add(host, "/robots.txt", HttpReply::Text(200, std::move(body), "text/plain"));
  }

  std::vector<HttpRequest> Requests() const { return server_.Requests(); }
  std::vector<HttpRequest> RequestsTo(const std::string& host) const {
    std::vector<HttpRequest> out;
    for (HttpRequest& r : server_.Requests()) {
      if (r.host == host) out.push_back(std::move(r));
    }
    return out;
  }
  std::vector<std::string> TargetsOf(const std::string& host) const {
    std::vector<std::string> out;
    for (const HttpRequest& r : RequestsTo(host)) out.push_back(r.target);
    return out;
  }
  int CountOf(const std::string& host, const std::string& target) const {
    int n = 0;
    for (const HttpRequest& r : RequestsTo(host)) n += r.target == target;
    return n;
  }

 private:
  HttpReply Serve(const HttpRequest& r) {
    auto it = routes_.find(r.host + " " + r.target);
    if (it == routes_.end()) return HttpReply::Text(404, "<html><body>없는 페이지</body></html>");
    return it->second(r);
  }

  std::map<std::string, Route> routes_;
  TestHttpServer server_;
};

// A port on 127.0.0.1 that nobody listens on (bound, then closed).
int ClosedPort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  int port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

// Largest number of requests in flight at once when request i occupies
// [received_micros, received_micros + hold_micros(i)).
template <typename Hold>
int MaxOverlap(const std::vector<HttpRequest>& requests, Hold hold_micros) {
  std::vector<std::pair<int64_t, int>> events;  // (time, +1 start / -1 end); ends sort first
  for (const HttpRequest& r : requests) {
    int64_t hold = hold_micros(r);
    if (hold <= 0) continue;
    events.emplace_back(r.received_micros, +1);
    events.emplace_back(r.received_micros + hold, -1);
  }
  std::sort(events.begin(), events.end());
  int now = 0, most = 0;
  for (const auto& [t, d] : events) {
    now += d;
    most = std::max(most, now);
  }
  return most;
}

// Gaps (microseconds) between consecutive requests in `requests` order.
std::vector<int64_t> Gaps(const std::vector<HttpRequest>& requests) {
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < requests.size(); ++i) {
    gaps.push_back(requests[i].received_micros - requests[i - 1].received_micros);
  }
  return gaps;
}

std::string Describe(const std::vector<HttpRequest>& requests) {
  std::string s;
  int64_t t0 = requests.empty() ? 0 : requests.front().received_micros;
  for (const HttpRequest& r : requests) {
    s += "  +" + std::to_string((r.received_micros - t0) / 1000) + "ms " + r.host + r.target + "\n";
  }
  return s;
}

// ---------------------------------------------------------------------------

class CrawlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto archive = storage::Archive::Open(tmp_.Sub("archive"));
    ASSERT_TRUE(archive.ok()) << archive.status().ToString();
    archive_ = std::move(*archive);
    config::CrawlSettings& s = options_.settings;
    s.concurrency = 8;
    s.per_host_connections = 2;
    s.per_host_delay_ms = 0;
    s.connect_timeout_ms = 2'000;
    s.timeout_ms = 5'000;
    s.max_depth = 5;
    s.workers = 2;
  }

  // Pins `host` to the server and makes it a site seeded at `seed_path`.
  void Site(const std::string& host, const std::string& seed_path = "/") {
    Pin(host);
    options_.seeds.push_back(web_.Url(host, seed_path));
  }
  void Pin(const std::string& host) { options_.settings.resolve.push_back(web_.Resolve(host)); }

  // Runs one crawl under the watchdog; fails the test on an error.
  CrawlStats Crawl() {
    Crawler crawler(options_, crawl_archive_ != nullptr ? crawl_archive_ : archive_.get());
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::atomic<bool> fired{false};
    std::thread watchdog([&] {
      std::unique_lock<std::mutex> lock(mu);
      if (!cv.wait_for(lock, kWatchdog, [&] { return done; })) {
        fired = true;
        crawler.RequestStop();
      }
    });
    Result<CrawlStats> stats = crawler.Run();
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
    }
    cv.notify_all();
    watchdog.join();
    EXPECT_FALSE(fired.load()) << "the crawl did not finish within the watchdog's "
                               << kWatchdog.count() << " s; requests:\n"
                               << Describe(web_.Requests());
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? *stats : CrawlStats{};
  }

  bool HasArticle(const std::string& host, const std::string& path) {
    return archive_->GetArticle(web_.Key(host, path)).ok();
  }
  bool HasCapture(const std::string& host, const std::string& path) {
    return archive_->GetLatestCapture(web_.Key(host, path)).ok();
  }

  FakeWeb web_;
  TempDir tmp_;
  std::unique_ptr<storage::Archive> archive_;
  storage::Archive* crawl_archive_ = nullptr;  // what Crawl() stores into; null: archive_
  CrawlOptions options_;
};

// A host whose index links `count` articles starting at 1, all served.
void NewsHost(FakeWeb& web, const std::string& host, int count, int delay_ms = 0) {
  web.Robots(host, "User-agent: *\nDisallow: /private/\n");
  web.Html(host, "/", ListPage(ArticleLinks(1, count)));
  for (int i = 1; i <= count; ++i) {
    HttpReply reply = HttpReply::Text(200, ArticlePage(i + (host[0] - 'a') * 100));
    reply.delay_ms = delay_ms;
    web.Add(host, "/news/" + std::to_string(i) + ".html", reply);
  }
}

// ===========================================================================
// Politeness

TEST_F(CrawlerTest, PerHostDelaySeparatesRequestsWhileHostsRunInParallel) {
  NewsHost(web_, "a.test", 4);
  NewsHost(web_, "b.test", 4);
  Site("a.test");
  Site("b.test");
  options_.settings.per_host_delay_ms = 300;
  options_.settings.per_host_connections = 1;
  options_.settings.concurrency = 8;
  CrawlStats stats = Crawl();

  for (const std::string host : {"a.test", "b.test"}) {
    std::vector<HttpRequest> reqs = web_.RequestsTo(host);
    ASSERT_EQ(reqs.size(), 6u) << host << ": robots.txt, the index and 4 articles\n" << Describe(reqs);
    EXPECT_EQ(reqs.front().target, "/robots.txt");
    for (int64_t gap : Gaps(reqs)) {
      EXPECT_GE(gap, 300'000 - kToleranceMicros) << host << " was hit too soon:\n" << Describe(reqs);
    }
  }
  // In parallel, not one host after the other: b's requests start before
  // a's end and the other way round.
  std::vector<HttpRequest> a = web_.RequestsTo("a.test"), b = web_.RequestsTo("b.test");
  EXPECT_LT(b.front().received_micros, a.back().received_micros) << Describe(web_.Requests());
  EXPECT_LT(a.front().received_micros, b.back().received_micros) << Describe(web_.Requests());
  EXPECT_EQ(stats.articles_new, 8u);
}

TEST_F(CrawlerTest, AtMostPerHostConnectionsInFlight) {
  // Each article takes 150 ms to answer (the server waits on a timer, not a
  // thread), so requests of one host overlap as much as the crawler lets them.
  constexpr int kDelayMs = 150;
  NewsHost(web_, "a.test", 10, kDelayMs);
  Site("a.test");
  options_.settings.per_host_connections = 2;
  options_.settings.concurrency = 8;
  Crawl();
  std::vector<HttpRequest> reqs = web_.RequestsTo("a.test");
  ASSERT_EQ(reqs.size(), 12u) << Describe(reqs);
  auto hold = [&](const HttpRequest& r) -> int64_t {
    return r.target.starts_with("/news/") ? kDelayMs * 1000 : 1;
  };
  // Two at once (the limit is used), never three.
  EXPECT_EQ(MaxOverlap(reqs, hold), 2) << Describe(reqs);
}

TEST_F(CrawlerTest, GlobalConcurrencyBoundsAllHosts) {
  constexpr int kDelayMs = 150;
  for (const std::string host : {"a.test", "b.test", "c.test"}) {
    NewsHost(web_, host, 6, kDelayMs);
    Site(host);
  }
  options_.settings.per_host_connections = 3;
  options_.settings.concurrency = 4;
  CrawlStats stats = Crawl();
  std::vector<HttpRequest> all = web_.Requests();
  ASSERT_EQ(all.size(), 24u) << Describe(all);
  auto hold = [&](const HttpRequest& r) -> int64_t {
    return r.target.starts_with("/news/") ? kDelayMs * 1000 : 1;
  };
  EXPECT_LE(MaxOverlap(all, hold), 4) << Describe(all);
  for (const std::string host : {"a.test", "b.test", "c.test"}) {
    EXPECT_LE(MaxOverlap(web_.RequestsTo(host), hold), 3) << host;
  }
  EXPECT_EQ(stats.articles_new, 18u);
}

TEST_F(CrawlerTest, CrawlDelayHonouredUpToMaxCrawlDelay) {
  NewsHost(web_, "a.test", 3);
  web_.Robots("a.test", "User-agent: *\nCrawl-delay: 0.3\n");
  NewsHost(web_, "b.test", 3);
  web_.Robots("b.test", "User-agent: *\nCrawl-delay: 30\n");  // capped to 400 ms below
  Site("a.test");
  Site("b.test");
  options_.settings.per_host_delay_ms = 0;
  options_.settings.per_host_connections = 1;
  options_.settings.max_crawl_delay_ms = 400;
  CrawlStats stats = Crawl();

  for (const auto& [host, delay_us] : std::vector<std::pair<std::string, int64_t>>{{"a.test", 300'000},
                                                                                   {"b.test", 400'000}}) {
    std::vector<HttpRequest> reqs = web_.RequestsTo(host);
    ASSERT_EQ(reqs.size(), 5u) << Describe(reqs);
    // Between pages (robots.txt itself comes before the delay is known).
    std::vector<HttpRequest> pages(reqs.begin() + 1, reqs.end());
    for (int64_t gap : Gaps(pages)) {
      EXPECT_GE(gap, delay_us - kToleranceMicros) << host << ":\n" << Describe(reqs);
      EXPECT_LT(gap, 5'000'000) << host << ": Crawl-delay above max_crawl_delay must be capped\n"
                                << Describe(reqs);
    }
  }
  EXPECT_EQ(stats.articles_new, 6u);
}

TEST_F(CrawlerTest, IgnoreCrawlDelaySkipsIt) {
  NewsHost(web_, "a.test", 4);
  web_.Robots("a.test", "User-agent: *\nCrawl-delay: 5\n");
  Site("a.test");
  options_.settings.per_host_connections = 1;
  options_.settings.ignore_crawl_delay = true;
  CrawlStats stats = Crawl();
  std::vector<HttpRequest> reqs = web_.RequestsTo("a.test");
  ASSERT_EQ(reqs.size(), 6u) << Describe(reqs);
  // Honoured, the 5 pages would take 20 s; ignored, well under one delay.
  EXPECT_LT(reqs.back().received_micros - reqs[1].received_micros, 5'000'000) << Describe(reqs);
  EXPECT_EQ(stats.articles_new, 4u);
}

// ===========================================================================
// robots.txt

TEST_F(CrawlerTest, RobotsFirstAndDisallowedPathsNeverRequested) {
  web_.Robots("a.test", "User-agent: *\nDisallow: /private/\nDisallow: /*?print=\n\n"
                        "User-agent: Jikji\nDisallow: /members/\nDisallow: /private/\n");
  web_.Html("a.test", "/", ListPage({"/news/1.html", "/private/draft.html", "/members/login.html",
                                     "/news/1.html?print=1", "/news/2.html"}));
  web_.Html("a.test", "/news/1.html", ArticlePage(1));
  web_.Html("a.test", "/news/2.html", ArticlePage(2));
  web_.Html("a.test", "/private/draft.html", ArticlePage(3));
  web_.Html("a.test", "/members/login.html", ListPage({}));
  web_.Html("a.test", "/news/1.html?print=1", ArticlePage(1));
  Site("a.test");
  CrawlStats stats = Crawl();

  std::vector<std::string> targets = web_.TargetsOf("a.test");
  ASSERT_FALSE(targets.empty());
  EXPECT_EQ(targets.front(), "/robots.txt");
  std::set<std::string> got(targets.begin(), targets.end());
  // The Jikji group applies (not '*'): /members/ and /private/ are out,
  // '?print=' (a '*'-group rule only) is in.
  EXPECT_EQ(got, (std::set<std::string>{"/robots.txt", "/", "/news/1.html", "/news/2.html",
                                        "/news/1.html?print=1"}));
  EXPECT_GE(stats.robots_denied, 2u);
  // /news/1.html and its ?print=1 twin are exact duplicates: either may be
  // the article (whichever was stored first), the other its alias.
  EXPECT_TRUE(HasCapture("a.test", "/news/1.html"));
  EXPECT_TRUE(HasArticle("a.test", "/news/2.html"));
  EXPECT_FALSE(HasCapture("a.test", "/private/draft.html"));
}

// RFC 9309 2.3.1.2: robots.txt redirects are followed for at least five
// hops, and the rules at the end apply to the host that redirected.
TEST_F(CrawlerTest, RobotsTxtRedirectsAreFollowedForFiveHops) {
  web_.Add("a.test", "/robots.txt", HttpReply::Redirect(301, "/r/1"));
  web_.Add("a.test", "/r/1", HttpReply::Redirect(302, "/r/2"));
  web_.Add("a.test", "/r/2", HttpReply::Redirect(307, "/r/3"));
  web_.Add("a.test", "/r/3", HttpReply::Redirect(308, "/r/4"));
  web_.Add("a.test", "/r/4", HttpReply::Redirect(301, "/rules.txt"));
  web_.Add("a.test", "/rules.txt", HttpReply::Text(200, "User-agent: *\nDisallow: /private/\n", "text/plain"));
  web_.Html("a.test", "/", ListPage({"/news/1.html", "/private/1.html"}));
  web_.Html("a.test", "/news/1.html", ArticlePage(1));
  web_.Html("a.test", "/private/1.html", ArticlePage(2));
  Site("a.test");
  CrawlStats stats = Crawl();
  std::vector<std::string> targets = web_.TargetsOf("a.test");
  std::set<std::string> got(targets.begin(), targets.end());
  EXPECT_EQ(got, (std::set<std::string>{"/robots.txt", "/r/1", "/r/2", "/r/3", "/r/4", "/rules.txt",
                                        "/", "/news/1.html"}));
  EXPECT_TRUE(HasArticle("a.test", "/news/1.html"));
  EXPECT_EQ(stats.robots_denied, 1u);
}

TEST_F(CrawlerTest, Robots404AllowsEverything) {
  web_.Add("a.test", "/robots.txt", HttpReply::Text(404, "not here", "text/plain"));
  web_.Html("a.test", "/", ListPage({"/private/1.html"}));
  web_.Html("a.test", "/private/1.html", ArticlePage(1));
  Site("a.test");
  Crawl();
  EXPECT_EQ(web_.TargetsOf("a.test"), (std::vector<std::string>{"/robots.txt", "/", "/private/1.html"}));
  EXPECT_TRUE(HasArticle("a.test", "/private/1.html"));
}

TEST_F(CrawlerTest, Robots5xxOrUnreachableDisallowsTheHost) {
  // a.test: robots.txt answers 500. b.test: robots.txt never answers (the
  // timeout hits). c.test: nothing listens. d.test: healthy, to show the
  // crawl goes on. robots.txt is tried robots_max_attempts times, backing
  // off from robots_retry, then the host is given up for this crawl.
  web_.Add("a.test", "/robots.txt", HttpReply::Text(500, "oops", "text/plain"));
  web_.Html("a.test", "/", ListPage(ArticleLinks(1, 3)));
  HttpReply silent;
  silent.mode = HttpReply::Mode::kNoResponse;
  web_.Add("b.test", "/robots.txt", silent);
  web_.Html("b.test", "/", ListPage(ArticleLinks(1, 3)));
  NewsHost(web_, "d.test", 2);
  Site("a.test");
  Site("b.test");
  Site("d.test");
  int closed = ClosedPort();
  options_.settings.resolve.push_back("c.test:" + std::to_string(closed) + ":127.0.0.1");
  std::string c_seed = "http://c.test:" + std::to_string(closed) + "/";
  options_.seeds.push_back(c_seed);
  options_.settings.timeout_ms = 500;
  options_.settings.robots_retry_ms = 200;
  options_.settings.robots_max_attempts = 3;
  CrawlStats stats = Crawl();

  for (const std::string host : {"a.test", "b.test"}) {
    std::vector<HttpRequest> reqs = web_.RequestsTo(host);
    ASSERT_EQ(reqs.size(), 3u) << host << ": three tries of robots.txt\n" << Describe(web_.Requests());
    for (const HttpRequest& r : reqs) EXPECT_EQ(r.target, "/robots.txt") << host << " was crawled anyway";
    // Backoff: 200 ms, then 400 ms (from the end of the failed try).
    std::vector<int64_t> gaps = Gaps(reqs);
    EXPECT_GE(gaps[0], 200'000 - kToleranceMicros) << host << "\n" << Describe(reqs);
    EXPECT_GE(gaps[1], 400'000 - kToleranceMicros) << host << "\n" << Describe(reqs);
    EXPECT_FALSE(HasCapture(host, "/")) << host;
  }
  EXPECT_FALSE(archive_->GetLatestCapture(*url::NormalizeString(c_seed)).ok());
  EXPECT_TRUE(HasArticle("d.test", "/news/1.html"));
  EXPECT_TRUE(HasArticle("d.test", "/news/2.html"));
  EXPECT_GE(stats.robots_denied, 3u) << "the three seeds were refused";
}

TEST_F(CrawlerTest, Robots5xxPausesTheHostUntilRobotsTxtComesBack) {
  // robots.txt fails twice, then answers: the host waits (nothing else is
  // fetched meanwhile), then is crawled under the rules it finally got.
  std::atomic<int> calls{0};
  web_.Add("a.test", "/robots.txt", [&](const HttpRequest&) {
    if (calls++ < 2) return HttpReply::Text(503, "점검 중", "text/plain");
    return HttpReply::Text(200, "User-agent: *\nDisallow: /private/\n", "text/plain");
  });
  web_.Html("a.test", "/", ListPage({"/news/1.html", "/private/1.html"}));
  web_.Html("a.test", "/news/1.html", ArticlePage(1));
  web_.Html("a.test", "/private/1.html", ArticlePage(2));
  Site("a.test");
  options_.settings.robots_retry_ms = 100;
  options_.settings.robots_max_attempts = 5;
  Crawl();
  EXPECT_EQ(web_.TargetsOf("a.test"),
            (std::vector<std::string>{"/robots.txt", "/robots.txt", "/robots.txt", "/", "/news/1.html"}))
      << Describe(web_.Requests());
  EXPECT_TRUE(HasArticle("a.test", "/news/1.html"));
}

TEST_F(CrawlerTest, RobotsTxtIsFetchedAgainWhenItsCopyExpires) {
  // A slow host crawled for longer than the robots.txt cache lifetime: the
  // rules are fetched again, and the new rules apply from then on.
  std::atomic<int> calls{0};
  web_.Add("a.test", "/robots.txt", [&](const HttpRequest&) {
    std::string rules = calls++ == 0 ? "User-agent: *\nDisallow: /late/\n" : "User-agent: *\nDisallow: /news/\n";
    return HttpReply::Text(200, rules, "text/plain");
  });
  web_.Html("a.test", "/", ListPage({"/news/1.html", "/news/2.html", "/news/3.html", "/news/4.html"}));
  for (int i = 1; i <= 4; ++i) web_.Html("a.test", "/news/" + std::to_string(i) + ".html", ArticlePage(i));
  Site("a.test");
  options_.settings.per_host_delay_ms = 150;
  options_.settings.robots_cache_ttl_ms = 400;
  Crawl();
  std::vector<std::string> targets = web_.TargetsOf("a.test");
  ASSERT_GE(web_.CountOf("a.test", "/robots.txt"), 2) << Describe(web_.Requests());
  // Nothing under /news/ after the second copy said Disallow: /news/.
  size_t second = std::find(targets.begin() + 1, targets.end(), "/robots.txt") - targets.begin();
  for (size_t i = second + 1; i < targets.size(); ++i) {
    EXPECT_NE(targets[i].rfind("/news/", 0), 0u) << "fetched under the new rules' Disallow\n"
                                                  << Describe(web_.Requests());
  }
  EXPECT_GE(second, 3u) << "some articles were fetched under the first copy\n" << Describe(web_.Requests());
}

TEST_F(CrawlerTest, RobotsSitemapLinesAreFollowed) {
  web_.Robots("a.test", "User-agent: *\nDisallow: /private/\nSitemap: " + web_.Url("a.test", "/sm/news.xml") +
                            "\n");
  web_.Html("a.test", "/", ListPage({}));  // nothing linked: the sitemap is the only way in
  web_.Add("a.test", "/sm/news.xml",
           HttpReply::Text(200,
                           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
                           "<url><loc>" + web_.Url("a.test", "/news/7.html") + "</loc></url>\n"
                           "<url><loc>" + web_.Url("a.test", "/news/8.html") + "</loc></url>\n"
                           "<url><loc>" + web_.Url("a.test", "/private/9.html") + "</loc></url>\n"
                           "</urlset>\n",
                           "application/xml"));
  web_.Html("a.test", "/news/7.html", ArticlePage(7));
  web_.Html("a.test", "/news/8.html", ArticlePage(8));
  web_.Html("a.test", "/private/9.html", ArticlePage(9));
  Site("a.test");
  CrawlStats stats = Crawl();
  EXPECT_EQ(web_.CountOf("a.test", "/sm/news.xml"), 1);
  EXPECT_TRUE(HasArticle("a.test", "/news/7.html"));
  EXPECT_TRUE(HasArticle("a.test", "/news/8.html"));
  EXPECT_EQ(web_.CountOf("a.test", "/private/9.html"), 0) << "a sitemap does not override robots.txt";
  EXPECT_GE(stats.feeds, 1u);
}

// ===========================================================================
// Errors and retries

TEST_F(CrawlerTest, RetryAfterOn429And503IsHonouredAndPageStored) {
  NewsHost(web_, "a.test", 2);
  std::atomic<int> calls1{0}, calls2{0};
  web_.Add("a.test", "/news/1.html", [&](const HttpRequest&) {
    if (calls1++ == 0) {
      HttpReply r = HttpReply::Text(429, "천천히 요청해 주세요");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    return HttpReply::Text(200, ArticlePage(1));
  });
  web_.Add("a.test", "/news/2.html", [&](const HttpRequest&) {
    if (calls2++ == 0) {
      HttpReply r = HttpReply::Text(503, "점검 중");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    return HttpReply::Text(200, ArticlePage(2));
  });
  Site("a.test");
  CrawlStats stats = Crawl();

  for (const std::string path : {"/news/1.html", "/news/2.html"}) {
    std::vector<HttpRequest> tries;
    for (HttpRequest& r : web_.RequestsTo("a.test")) {
      if (r.target == path) tries.push_back(std::move(r));
    }
    ASSERT_EQ(tries.size(), 2u) << path << "\n" << Describe(web_.Requests());
    EXPECT_GE(tries[1].received_micros - tries[0].received_micros, 1'000'000 - kToleranceMicros)
        << path << ": retried before Retry-After\n" << Describe(web_.Requests());
    EXPECT_TRUE(HasArticle("a.test", path)) << path;
  }
  EXPECT_GE(stats.retries, 2u);
}

TEST_F(CrawlerTest, RetryAfterAsHttpDateIsHonoured) {
  NewsHost(web_, "a.test", 1);
  std::atomic<int> calls{0};
  web_.Add("a.test", "/news/1.html", [&](const HttpRequest&) {
    if (calls++ == 0) {
      HttpReply r = HttpReply::Text(503, "점검 중");
      // Two seconds from now, as an IMF-fixdate (whole seconds: at least 1 s).
      time_t at = time(nullptr) + 2;
      struct tm tm_utc;
      gmtime_r(&at, &tm_utc);
      char date[64];
      strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm_utc);
      r.headers.emplace_back("Retry-After", date);
      return r;
    }
    return HttpReply::Text(200, ArticlePage(1));
  });
  Site("a.test");
  Crawl();
  std::vector<HttpRequest> tries;
  for (HttpRequest& r : web_.RequestsTo("a.test")) {
    if (r.target == "/news/1.html") tries.push_back(std::move(r));
  }
  ASSERT_EQ(tries.size(), 2u) << Describe(web_.Requests());
  EXPECT_GE(tries[1].received_micros - tries[0].received_micros, 1'000'000 - kToleranceMicros)
      << "retried before the Retry-After date\n" << Describe(web_.Requests());
  EXPECT_TRUE(HasArticle("a.test", "/news/1.html"));
}

TEST_F(CrawlerTest, MalformedRetryAfterDoesNotBreakTheCrawl) {
  // a.test: "Retry-After: soon" (not a number, not a date): ordinary
  // backoff. b.test: a number past int64: capped at an hour, so the host
  // waits and the crawl ends at max_time with that page still queued.
  NewsHost(web_, "a.test", 1);
  NewsHost(web_, "b.test", 1);
  std::atomic<int> calls_a{0};
  web_.Add("a.test", "/news/1.html", [&](const HttpRequest&) {
    if (calls_a++ > 0) return HttpReply::Text(200, ArticlePage(1));
    HttpReply r = HttpReply::Text(503, "점검 중");
    r.headers.emplace_back("Retry-After", "soon");
    return r;
  });
  web_.Add("b.test", "/news/1.html", [&](const HttpRequest&) {
    HttpReply r = HttpReply::Text(503, "점검 중");
    r.headers.emplace_back("Retry-After", "99999999999999999999999");
    return r;
  });
  Site("a.test");
  Site("b.test");
  options_.settings.max_time_ms = 2500;
  CrawlStats stats = Crawl();
  EXPECT_TRUE(HasArticle("a.test", "/news/1.html")) << Describe(web_.Requests());
  EXPECT_EQ(web_.CountOf("b.test", "/news/1.html"), 1) << Describe(web_.Requests());
  EXPECT_EQ(stats.stop_reason, "max time");
}

TEST_F(CrawlerTest, AlwaysFailingHostIsNotHammered) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  web_.Add("a.test", "/", [](const HttpRequest&) { return HttpReply::Text(503, "점검 중"); });
  Site("a.test");
  CrawlStats stats = Crawl();
  std::vector<HttpRequest> reqs = web_.RequestsTo("a.test");
  std::vector<HttpRequest> tries;
  for (const HttpRequest& r : reqs) {
    if (r.target == "/") tries.push_back(r);
  }
  ASSERT_GE(tries.size(), 1u);
  EXPECT_LE(tries.size(), 5u) << "retries must be bounded\n" << Describe(reqs);
  for (int64_t gap : Gaps(tries)) {
    EXPECT_GE(gap, 250'000) << "retried in a tight loop\n" << Describe(reqs);
  }
  EXPECT_EQ(stats.http_errors + stats.fetch_errors, 1u);
  EXPECT_EQ(stats.by_status[503], tries.size());
}

TEST_F(CrawlerTest, RedirectChainIsRecorded) {
  NewsHost(web_, "a.test", 0);
  web_.Html("a.test", "/", ListPage({"/old/1.html"}));
  web_.Add("a.test", "/old/1.html", HttpReply::Redirect(301, "/mid/1.html"));
  web_.Add("a.test", "/mid/1.html", HttpReply::Redirect(302, web_.Url("a.test", "/news/1.html")));
  web_.Html("a.test", "/news/1.html", ArticlePage(1, {"/old/1.html", "/news/1.html"}));
  Site("a.test");
  Crawl();

  auto capture = archive_->GetLatestCapture(web_.Key("a.test", "/old/1.html"));
  ASSERT_TRUE(capture.ok()) << capture.status().ToString();
  EXPECT_EQ(capture->http_status, 200);
  EXPECT_EQ(capture->final_url, web_.Url("a.test", "/news/1.html"));
  EXPECT_EQ(capture->redirect_chain,
            (std::vector<std::string>{web_.Url("a.test", "/old/1.html"), web_.Url("a.test", "/mid/1.html")}));
  auto state = archive_->GetUrlState(web_.Key("a.test", "/old/1.html"));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->last_http_status, 200);
  // The target, reached once through the redirect, is not fetched again
  // when the article links itself.
  EXPECT_EQ(web_.CountOf("a.test", "/news/1.html"), 1) << Describe(web_.Requests());
  EXPECT_EQ(web_.CountOf("a.test", "/old/1.html"), 1);
}

TEST_F(CrawlerTest, RedirectLoopEndsAsAnError) {
  NewsHost(web_, "a.test", 1);
  web_.Html("a.test", "/", ListPage({"/loop/a.html", "/news/1.html"}));
  web_.Add("a.test", "/loop/a.html", HttpReply::Redirect(302, "/loop/b.html"));
  web_.Add("a.test", "/loop/b.html", HttpReply::Redirect(302, "/loop/a.html"));
  Site("a.test");
  CrawlStats stats = Crawl();
  int loop_requests = web_.CountOf("a.test", "/loop/a.html") + web_.CountOf("a.test", "/loop/b.html");
  EXPECT_GE(loop_requests, 2);
  EXPECT_LE(loop_requests, 12) << "a redirect loop must not be followed in a tight loop\n"
                               << Describe(web_.Requests());
  EXPECT_GE(stats.fetch_errors, 1u);
  EXPECT_TRUE(HasArticle("a.test", "/news/1.html"));
}

// Slow, stalled, silent and reset responses: each on a host of its own (a
// host's backoff is its own), all with a 500 ms timeout.
TEST_F(CrawlerTest, SlowStalledAndResetResponsesEndAsErrors) {
  HttpReply slow = HttpReply::Text(200, ArticlePage(1));
  slow.delay_ms = 3'000;
  HttpReply stall = HttpReply::Text(200, ArticlePage(2));
  stall.mode = HttpReply::Mode::kStallAfterHeaders;
  HttpReply silent = HttpReply::Text(200, ArticlePage(3));
  silent.mode = HttpReply::Mode::kNoResponse;
  HttpReply reset = HttpReply::Text(200, ArticlePage(4));
  reset.mode = HttpReply::Mode::kResetMidBody;
  HttpReply truncated = HttpReply::Text(200, ArticlePage(5));
  truncated.mode = HttpReply::Mode::kTruncate;
  const std::vector<std::pair<std::string, HttpReply>> hostile = {
      {"slow.test", slow}, {"stall.test", stall}, {"silent.test", silent},
      {"reset.test", reset}, {"trunc.test", truncated}};
  for (const auto& [host, reply] : hostile) {
    web_.Robots(host, "User-agent: *\nDisallow:\n");
    web_.Add(host, "/news/1.html", reply);
    Site(host, "/news/1.html");
  }
  NewsHost(web_, "ok.test", 2);
  Site("ok.test");
  options_.settings.timeout_ms = 500;
  auto start = std::chrono::steady_clock::now();
  CrawlStats stats = Crawl();
  auto took = std::chrono::steady_clock::now() - start;

  for (const auto& [host, reply] : hostile) {
    int tries = web_.CountOf(host, "/news/1.html");
    EXPECT_GE(tries, 1) << host;
    EXPECT_LE(tries, 5) << host << ": retries must be bounded";
    auto capture = archive_->GetLatestCapture(web_.Key(host, "/news/1.html"));
    if (capture.ok()) {
      // If anything is recorded, it is not a complete page.
      EXPECT_TRUE(capture->truncated || capture->http_status != 200) << host;
    }
    EXPECT_FALSE(HasArticle(host, "/news/1.html")) << host << ": a broken response became an article";
  }
  EXPECT_GE(stats.fetch_errors, hostile.size());
  EXPECT_TRUE(HasArticle("ok.test", "/news/1.html"));
  EXPECT_TRUE(HasArticle("ok.test", "/news/2.html"));
  EXPECT_LT(took, std::chrono::seconds(20)) << "timeouts did not cut the stalled transfers";
}

TEST_F(CrawlerTest, BodyOverMaxBodyBytesIsCapped) {
  // A 300 KB page and an endless one; the cap is 64 KiB.
  std::string big = ArticlePage(1);
  std::string filler;
  for (int i = 0; filler.size() < 300'000; ++i) filler += "<p>" + std::string(kSentences[i % kSentenceCount]) + "</p>\n";
  big.insert(big.find("</body>"), filler);
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  web_.Html("a.test", "/", ListPage({"/big.html", "/endless.html", "/news/2.html"}));
  web_.Html("a.test", "/big.html", big);
  HttpReply endless = HttpReply::Text(200, "<p>끝없이 이어지는 본문</p>");
  endless.mode = HttpReply::Mode::kEndless;
  web_.Add("a.test", "/endless.html", endless);
  web_.Html("a.test", "/news/2.html", ArticlePage(2));
  Site("a.test");
  constexpr int64_t kCap = 64 * 1024;
  options_.settings.max_body_bytes = kCap;
  options_.settings.timeout_ms = 3'000;
  CrawlStats stats = Crawl();

  EXPECT_LE(web_.CountOf("a.test", "/endless.html"), 3);
  for (const std::string path : {"/big.html", "/endless.html"}) {
    auto capture = archive_->GetLatestCapture(web_.Key("a.test", path));
    ASSERT_TRUE(capture.ok()) << path << ": a capped body is recorded as a truncated capture: "
                              << capture.status().ToString();
    EXPECT_TRUE(capture->truncated) << path;
    EXPECT_LE(capture->body.size(), static_cast<size_t>(kCap)) << path;
    EXPECT_GT(capture->body.size(), 0u) << path;
  }
  EXPECT_LE(stats.bytes, static_cast<uint64_t>(4 * kCap + 200'000)) << "bodies are counted after the cap";
  EXPECT_TRUE(HasArticle("a.test", "/news/2.html"));
}

// ===========================================================================
// Feeds and sitemaps

std::string Rss(const FakeWeb& web, const std::string& host, const std::vector<int>& ids) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
      "<title>테스트뉴스 정책</title><link>" + web.Url(host, "/") + "</link>\n";
  for (int id : ids) {
    xml += "<item><title>기사 " + std::to_string(id) + "</title><link>" +
           web.Url(host, "/news/" + std::to_string(id) + ".html") +
           "</link><pubDate>Mon, 03 Mar 2025 09:00:00 +0900</pubDate></item>\n";
  }
  return xml + "</channel></rss>\n";
}

TEST_F(CrawlerTest, RssAndAtomFeedsDiscoverArticles) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  web_.Add("a.test", "/rss.xml", HttpReply::Text(200, Rss(web_, "a.test", {1, 2}), "application/rss+xml"));
  web_.Add("a.test", "/atom.xml",
           HttpReply::Text(200,
                           "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                           "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>테스트뉴스</title>\n"
                           "<entry><title>기사 3</title><link rel=\"alternate\" href=\"" +
                               web_.Url("a.test", "/news/3.html") +
                               "\"/><updated>2025-03-03T09:00:00+09:00</updated></entry>\n"
                               "<entry><title>기사 4</title><link href=\"/news/4.html\"/></entry>\n"
                               "</feed>\n",
                           "application/atom+xml"));
  for (int i = 1; i <= 4; ++i) web_.Html("a.test", "/news/" + std::to_string(i) + ".html", ArticlePage(i));
  config::SiteConfig site;
  site.name = "a";
  site.hosts = {"a.test"};
  site.feeds = {web_.Url("a.test", "/rss.xml"), web_.Url("a.test", "/atom.xml")};
  options_.sites.push_back(site);
  Pin("a.test");
  CrawlStats stats = Crawl();
  for (int i = 1; i <= 4; ++i) {
    EXPECT_TRUE(HasArticle("a.test", "/news/" + std::to_string(i) + ".html")) << i;
  }
  EXPECT_EQ(stats.feeds, 2u);
  EXPECT_EQ(stats.articles_new, 4u);
}

TEST_F(CrawlerTest, BrokenFeedYieldsWhatCanBeRead) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  std::string rss = Rss(web_, "a.test", {1, 2, 3});
  rss.resize(rss.find("<item><title>기사 3") + 40);  // cut inside the third item
  web_.Add("a.test", "/rss.xml", HttpReply::Text(200, rss, "application/rss+xml"));
  for (int i = 1; i <= 3; ++i) web_.Html("a.test", "/news/" + std::to_string(i) + ".html", ArticlePage(i));
  config::SiteConfig site;
  site.name = "a";
  site.hosts = {"a.test"};
  site.feeds = {web_.Url("a.test", "/rss.xml")};
  options_.sites.push_back(site);
  Pin("a.test");
  Crawl();
  EXPECT_TRUE(HasArticle("a.test", "/news/1.html"));
  EXPECT_TRUE(HasArticle("a.test", "/news/2.html"));
}

TEST_F(CrawlerTest, SitemapIndexToPlainAndGzipUrlsets) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  auto urlset = [&](std::vector<int> ids) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    for (int id : ids) {
      xml += "<url><loc>" + web_.Url("a.test", "/news/" + std::to_string(id) + ".html") +
             "</loc><lastmod>2025-03-03</lastmod></url>\n";
    }
    return xml + "</urlset>\n";
  };
  web_.Add("a.test", "/sitemap.xml",
           HttpReply::Text(200,
                           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
                           "<sitemap><loc>" + web_.Url("a.test", "/sitemaps/news-1.xml") + "</loc></sitemap>\n"
                           "<sitemap><loc>" + web_.Url("a.test", "/sitemaps/news-2.xml.gz") +
                               "</loc></sitemap>\n</sitemapindex>\n",
                           "application/xml"));
  web_.Add("a.test", "/sitemaps/news-1.xml", HttpReply::Text(200, urlset({1, 2}), "application/xml"));
  // A .xml.gz file served as such (gzip bytes, no Content-Encoding).
  web_.Add("a.test", "/sitemaps/news-2.xml.gz",
           HttpReply::Text(200, testing::GzipCompress(urlset({3, 4})), "application/x-gzip"));
  for (int i = 1; i <= 4; ++i) web_.Html("a.test", "/news/" + std::to_string(i) + ".html", ArticlePage(i));
  config::SiteConfig site;
  site.name = "a";
  site.hosts = {"a.test"};
  site.sitemaps = {web_.Url("a.test", "/sitemap.xml")};
  options_.sites.push_back(site);
  Pin("a.test");
  CrawlStats stats = Crawl();
  for (int i = 1; i <= 4; ++i) {
    EXPECT_TRUE(HasArticle("a.test", "/news/" + std::to_string(i) + ".html")) << i;
  }
  EXPECT_EQ(stats.feeds, 3u);
}

// ===========================================================================
// Scope

TEST_F(CrawlerTest, UrlVariantsFetchedOnceAndForeignHostsNever) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  web_.Html("a.test", "/",
            ListPage({"/news/1.html", "/news/1.html?utm_source=x", "/news/1.html#top",
                      web_.Url("a.test", "/news/1.html?utm_medium=y&fbclid=z"), "/news/1.html?utm_campaign=q#c",
                      web_.Url("elsewhere.test", "/news/1.html"), "http://127.0.0.1:" + std::to_string(web_.port()) +
                      "/news/1.html"}));
  web_.Html("a.test", "/news/1.html", ArticlePage(1, {"/news/1.html#comments", "/?utm_source=self"}));
  NewsHost(web_, "elsewhere.test", 1);
  Site("a.test");
  Pin("elsewhere.test");  // reachable, but no site of the crawl
  Crawl();
  EXPECT_EQ(web_.TargetsOf("a.test"), (std::vector<std::string>{"/robots.txt", "/", "/news/1.html"}))
      << Describe(web_.Requests());
  EXPECT_TRUE(web_.RequestsTo("elsewhere.test").empty());
  EXPECT_TRUE(web_.RequestsTo("127.0.0.1").empty());
}

TEST_F(CrawlerTest, AllowAndDenyPatternsHonoured) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  web_.Html("a.test", "/news/",
            ListPage({"/news/1.html", "/news/secret-2.html", "/about.html", "/news/3.html?sort=old",
                      "/news/4.html"}));
  for (const std::string path : {"/news/1.html", "/news/secret-2.html", "/about.html", "/news/3.html?sort=old",
                                 "/news/4.html"}) {
    web_.Html("a.test", path, ArticlePage(static_cast<int>(path.size())));
  }
  config::SiteConfig site;
  site.name = "a";
  site.hosts = {"a.test"};
  site.seeds = {web_.Url("a.test", "/news/")};
  site.allow = {"/news/"};
  site.deny = {"/news/secret", "[?&]sort="};
  options_.sites.push_back(site);
  Pin("a.test");
  Crawl();
  std::vector<std::string> targets = web_.TargetsOf("a.test");
  std::set<std::string> got(targets.begin(), targets.end());
  EXPECT_EQ(got, (std::set<std::string>{"/robots.txt", "/news/", "/news/1.html", "/news/4.html"}))
      << Describe(web_.Requests());
}

TEST_F(CrawlerTest, MaxDepthHonoured) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  web_.Html("a.test", "/", ListPage({"/d/1.html"}));
  for (int d = 1; d <= 5; ++d) {
    web_.Html("a.test", "/d/" + std::to_string(d) + ".html",
              ArticlePage(d, {"/d/" + std::to_string(d + 1) + ".html"}));
  }
  Site("a.test");
  options_.settings.max_depth = 2;
  Crawl();
  EXPECT_EQ(web_.TargetsOf("a.test"), (std::vector<std::string>{"/robots.txt", "/", "/d/1.html", "/d/2.html"}));
}

// A link too deep from one page is followed when a shallower page links it
// later: links are remembered by the depth they were found at.
TEST_F(CrawlerTest, ALinkTooDeepFromOnePageIsFollowedFromAShallowerOne) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  web_.Html("a.test", "/", ListPage({"/a.html", "/b.html"}));
  web_.Html("a.test", "/a.html", ArticlePage(1, {"/a2.html"}));
  web_.Html("a.test", "/a2.html", ArticlePage(2, {"/x.html"}));  // depth 3 from here
  // /b.html answers after /a2.html has been read (depth 2 from here).
  web_.Add("a.test", "/b.html", [](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return HttpReply::Text(200, ArticlePage(3, {"/x.html"}));
  });
  web_.Html("a.test", "/x.html", ArticlePage(4));
  Site("a.test");
  options_.settings.max_depth = 2;
  Crawl();
  // /a2.html was fetched well before /b.html's answer (the order the test is about).
  int64_t a2 = -1, b = -1;
  for (const HttpRequest& r : web_.RequestsTo("a.test")) {
    if (r.target == "/a2.html") a2 = r.received_micros;
    if (r.target == "/b.html") b = r.received_micros;
  }
  ASSERT_TRUE(a2 >= 0 && b >= 0 && a2 < b + 300'000) << Describe(web_.Requests());
  EXPECT_EQ(web_.CountOf("a.test", "/x.html"), 1) << Describe(web_.Requests());
}

// A site's menu repeated on every page is parsed once (its links taken
// then) and left out of the parse on the other pages; pages reachable only
// through it are still fetched, once, and every article is stored as the
// extractor reads the page in full.
TEST_F(CrawlerTest, RepeatedMenusAreParsedOnceAndTheirLinksStillFollowed) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  const std::string menu =
      "<nav class=\"gnb\"><ul><li><a href=\"/sec/ai.html\">AI</a></li>"
      "<li><a href=\"/sec/chips.html\">반도체</a></li></ul></nav>\n";
  auto with_menu = [&](std::string page) { return page.insert(page.find("<body>") + 6, menu); };
  web_.Html("a.test", "/", with_menu(ListPage(ArticleLinks(1, 8))));
  for (int i = 1; i <= 8; ++i) {
    web_.Html("a.test", "/news/" + std::to_string(i) + ".html", with_menu(ArticlePage(i)));
  }
  web_.Html("a.test", "/sec/ai.html", with_menu(ListPage({"/news/1.html"})));
  web_.Html("a.test", "/sec/chips.html", with_menu(ListPage({"/news/2.html"})));
  Site("a.test");
  CrawlStats stats = Crawl();
  EXPECT_EQ(web_.CountOf("a.test", "/sec/ai.html"), 1) << Describe(web_.Requests());
  EXPECT_EQ(web_.CountOf("a.test", "/sec/chips.html"), 1);
  // 11 pages, each with the menu, the home link's nav and a footer (the
  // articles with an aside too): most of them known from an earlier page.
  EXPECT_GE(stats.boiler_blocks_skipped, 15u);
  for (int i = 1; i <= 8; ++i) {
    const std::string path = "/news/" + std::to_string(i) + ".html";
    auto stored = archive_->GetArticle(web_.Key("a.test", path));
    ASSERT_TRUE(stored.ok()) << path;
    parser::Page full = parser::ExtractPage(with_menu(ArticlePage(i)), web_.Url("a.test", path), "text/html");
    EXPECT_EQ(stored->article.body, full.article.body) << path;
    EXPECT_EQ(stored->article.title, full.article.title) << path;
    EXPECT_EQ(stored->article.authors, full.article.authors) << path;
    EXPECT_EQ(stored->article.published, full.article.published) << path;
  }
}

// A link marked nofollow on one page is still followed from a page that
// links it plainly.
TEST_F(CrawlerTest, ANofollowLinkDoesNotHideTheSameLinkElsewhere) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  web_.Html("a.test", "/", ListPage({"/a.html", "/b.html"}));
  std::string nofollow = ArticlePage(1);
  nofollow.insert(nofollow.find("</body>"), "<a href=\"/x.html\" rel=\"nofollow\">x</a>");
  web_.Html("a.test", "/a.html", nofollow);
  web_.Add("a.test", "/b.html", [](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return HttpReply::Text(200, ArticlePage(2, {"/x.html"}));
  });
  web_.Html("a.test", "/x.html", ArticlePage(3));
  Site("a.test");
  Crawl();
  EXPECT_EQ(web_.CountOf("a.test", "/x.html"), 1) << Describe(web_.Requests());
}

TEST_F(CrawlerTest, MaxPagesStopsTheCrawl) {
  NewsHost(web_, "a.test", 20);
  Site("a.test");
  options_.settings.max_pages = 5;
  CrawlStats stats = Crawl();
  int pages = 0;
  for (const std::string& t : web_.TargetsOf("a.test")) pages += t != "/robots.txt";
  EXPECT_LE(pages, 5) << Describe(web_.Requests());
  EXPECT_GE(pages, 2);
  EXPECT_EQ(stats.stop_reason, "max pages");
}

TEST_F(CrawlerTest, MaxTimeStopsTheCrawl) {
  NewsHost(web_, "a.test", 30, /*delay_ms=*/200);
  Site("a.test");
  options_.settings.per_host_connections = 1;
  options_.settings.max_time_ms = 700;
  CrawlStats stats = Crawl();
  EXPECT_EQ(stats.stop_reason, "max time");
  EXPECT_LT(web_.RequestsTo("a.test").size(), 12u) << Describe(web_.Requests());
  EXPECT_LT(stats.seconds, 5.0);
  // In-flight pages were finished and stored.
  EXPECT_GE(stats.articles_new, 1u);
}

// ===========================================================================
// Duplicates

TEST_F(CrawlerTest, ExactDuplicateUnderTwoUrlsStoredOnce) {
  web_.Robots("a.test", "User-agent: *\nDisallow:\n");
  web_.Html("a.test", "/", ListPage({"/news/1.html", "/syndicated/1.html", "/news/2.html"}));
  web_.Html("a.test", "/news/1.html", ArticlePage(1));
  web_.Html("a.test", "/syndicated/1.html", ArticlePage(1));  // byte-identical
  web_.Html("a.test", "/news/2.html", ArticlePage(2));
  Site("a.test");
  options_.settings.per_host_connections = 1;
  CrawlStats stats = Crawl();
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_EQ(stats.articles_new, 2u);
  auto one = archive_->GetUrlState(web_.Key("a.test", "/news/1.html"));
  auto two = archive_->GetUrlState(web_.Key("a.test", "/syndicated/1.html"));
  ASSERT_TRUE(one.ok() && two.ok());
  // Whichever came second is the alias of the first.
  EXPECT_TRUE((one->duplicate_of.empty() && two->duplicate_of == web_.Key("a.test", "/news/1.html")) ||
              (two->duplicate_of.empty() && one->duplicate_of == web_.Key("a.test", "/syndicated/1.html")))
      << "news: '" << one->duplicate_of << "' syndicated: '" << two->duplicate_of << "'";
  auto archive_stats = archive_->GetStats();
  ASSERT_TRUE(archive_stats.ok());
  EXPECT_EQ(archive_stats->articles, 2u);
  EXPECT_EQ(archive_stats->duplicates, 1u);
}

// ===========================================================================
// Storing

// Forwards to an Archive; counts Store() calls and the most that ran at
// once. Each Store() takes at least `min_store_ms`, so that calls made
// from several threads at once do overlap.
class OverlapArchive : public storage::Archive {
 public:
  OverlapArchive(storage::Archive* archive, int min_store_ms)
      : a_(archive), min_store_ms_(min_store_ms) {}

  int stores() const { return stores_.load(); }
  int most_at_once() const { return most_.load(); }

  Result<storage::StoreResult> Store(const storage::Capture& capture, const Article* article,
                                     double relevance) override {
    const int now = ++active_;
    for (int seen = most_.load(); now > seen && !most_.compare_exchange_weak(seen, now);) {
    }
    auto result = a_->Store(capture, article, relevance);
    std::this_thread::sleep_for(std::chrono::milliseconds(min_store_ms_));
    --active_;
    ++stores_;
    return result;
  }
  Result<storage::UrlState> GetUrlState(std::string_view url) override { return a_->GetUrlState(url); }
  Result<storage::ArticleRecord> GetArticle(std::string_view url, uint32_t version) override {
    return a_->GetArticle(url, version);
  }
  Result<storage::Capture> GetLatestCapture(std::string_view url) override {
    return a_->GetLatestCapture(url);
  }
  std::unique_ptr<storage::ArticleIterator> NewLatestArticleIterator() override {
    return a_->NewLatestArticleIterator();
  }
  std::unique_ptr<storage::ArticleIterator> NewArticleIterator(const storage::ArticleScan& scan) override {
    return a_->NewArticleIterator(scan);
  }
  Result<uint64_t> LastSequence() override { return a_->LastSequence(); }
  Result<std::vector<storage::ArticleRecord>> GetVersions(std::string_view url) override {
    return a_->GetVersions(url);
  }
  std::unique_ptr<storage::CaptureIterator> NewCaptureIterator(std::string_view start_after) override {
    return a_->NewCaptureIterator(start_after);
  }
  Result<storage::ReextractResult> StoreReextracted(std::string_view capture_key, const Article& article,
                                                    int extractor_version) override {
    return a_->StoreReextracted(capture_key, article, extractor_version);
  }
  Result<std::string> GetMeta(std::string_view name) override { return a_->GetMeta(name); }
  Status PutMeta(std::string_view name, std::string_view value) override { return a_->PutMeta(name, value); }
  Status DeleteMeta(std::string_view name) override { return a_->DeleteMeta(name); }
  Result<storage::VerifyReport> Verify(bool repair) override { return a_->Verify(repair); }
  Status Backup(const std::string& dir) override { return a_->Backup(dir); }
  Result<storage::ArchiveStats> GetStats() override { return a_->GetStats(); }
  Status Flush() override { return a_->Flush(); }

 private:
  storage::Archive* a_;
  const int min_store_ms_;
  std::atomic<int> active_{0};
  std::atomic<int> most_{0};
  std::atomic<int> stores_{0};
};

// Stores are handed from worker to worker (crawler.cc, store_queue_): one
// at a time, each page once, none lost, while four workers extract.
TEST_F(CrawlerTest, WorkersStoreOneAtATimeAndEveryPageOnce) {
  NewsHost(web_, "a.test", 12);
  NewsHost(web_, "b.test", 12);
  Site("a.test");
  Site("b.test");
  options_.settings.workers = 4;
  options_.settings.per_host_connections = 4;
  OverlapArchive overlap(archive_.get(), /*min_store_ms=*/5);
  crawl_archive_ = &overlap;
  CrawlStats stats = Crawl();
  EXPECT_EQ(stats.articles_new, 24u);
  // robots.txt is not stored; each index and article is, once.
  EXPECT_EQ(overlap.stores(), 26);
  EXPECT_EQ(overlap.most_at_once(), 1);
  for (int i = 1; i <= 12; ++i) {
    EXPECT_TRUE(HasArticle("a.test", "/news/" + std::to_string(i) + ".html")) << i;
    EXPECT_TRUE(HasArticle("b.test", "/news/" + std::to_string(i) + ".html")) << i;
  }
  auto verified = archive_->Verify(/*repair=*/false);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->problem_count, 0u);
}

}  // namespace
}  // namespace jikji::crawler
