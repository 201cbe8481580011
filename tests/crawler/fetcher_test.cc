// CurlFetcher over real HTTP on 127.0.0.1 (TestHttpServer): success paths,
// decoding, the body cap, redirects, every failure mode the server can
// produce, cancellation and destruction with transfers in flight.
#include "crawler/fetcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "tests/testing/http_server.h"

namespace jikji::crawler {
namespace {

namespace asio = boost::asio;
using jikji::testing::Headers;
using jikji::testing::HttpReply;
using jikji::testing::HttpRequest;
using jikji::testing::TestHttpServer;

// Upper bound for a test's event loop; a hang fails instead of blocking ctest.
constexpr auto kTestDeadline = std::chrono::seconds(20);

// Runs `io` until `done()` or kTestDeadline. Returns done().
template <typename Pred>
bool RunUntil(asio::io_context& io, Pred done) {
  auto deadline = std::chrono::steady_clock::now() + kTestDeadline;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(50));
  }
  return done();
}

// Runs `io` for a while (to let stray handlers fire).
void RunFor(asio::io_context& io, std::chrono::milliseconds d) {
  auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
}

std::unique_ptr<Fetcher> MakeFetcher(asio::io_context& io, const FetcherOptions& options = {}) {
  auto made = NewCurlFetcher(io, options);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? std::move(made).value() : nullptr;
}

// One fetch, start to callback.
FetchRequest Req(std::string url) {
  FetchRequest request;
  request.url = std::move(url);
  return request;
}

FetchResponse FetchOne(const FetcherOptions& options, FetchRequest request) {
  asio::io_context io;
  auto fetcher = MakeFetcher(io, options);
  std::optional<FetchResponse> out;
  fetcher->Fetch(std::move(request), [&](FetchResponse r) { out = std::move(r); });
  EXPECT_TRUE(RunUntil(io, [&] { return out.has_value(); })) << "fetch never completed";
  if (!out) return FetchResponse();
  return std::move(*out);
}

FetchResponse FetchOne(const FetcherOptions& options, const std::string& url) {
  FetchRequest request;
  request.url = url;
  return FetchOne(options, std::move(request));
}

// A server whose replies are chosen by request target.
class Routes {
 public:
  void Add(const std::string& target, std::function<HttpReply(const HttpRequest&)> fn) {
    routes_[target] = std::move(fn);
  }
  void Add(const std::string& target, HttpReply reply) {
    routes_[target] = [reply](const HttpRequest&) { return reply; };
  }
  testing::Handler AsHandler() {
    return [this](const HttpRequest& request) {
      auto it = routes_.find(request.target);
      if (it == routes_.end()) return HttpReply::Text(404, "no route " + request.target);
      return it->second(request);
    };
  }

 private:
  std::map<std::string, std::function<HttpReply(const HttpRequest&)>> routes_;
};

TEST(FetcherTest, GetReturnsBodyHeadersAndMetadata) {
  Routes routes;
  HttpReply page = HttpReply::Text(200, "<html>hello</html>");
  page.headers.emplace_back("X-Custom-Header", "Value 1");
  routes.Add("/page?q=1", page);
  TestHttpServer server(routes.AsHandler());

  FetcherOptions options;
  options.user_agent = "JikjiTest/1.0";
  FetchRequest request;
  request.url = server.BaseUrl() + "/page?q=1";
  request.tag = 42;
  request.extra_headers.emplace_back("Accept-Language", "ko");
  FetchResponse r = FetchOne(options, request);

  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.tag, 42u);
  EXPECT_EQ(r.body, "<html>hello</html>");
  EXPECT_EQ(r.url, request.url);
  EXPECT_EQ(r.final_url, request.url);
  EXPECT_TRUE(r.redirect_chain.empty());
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.Header("x-custom-header"), "Value 1");
  EXPECT_EQ(r.Header("X-CUSTOM-HEADER"), "Value 1");
  EXPECT_EQ(r.Header("absent"), "");
  for (const auto& [name, value] : r.headers) {
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
  }
  EXPECT_EQ(r.http_version, "1.1");
  EXPECT_EQ(r.remote_ip, "127.0.0.1");
  EXPECT_GT(r.wire_bytes, r.body.size());  // headers count too
  EXPECT_GT(r.started_micros, 1'600'000'000'000'000);
  EXPECT_GE(r.elapsed_micros, 0);
  EXPECT_FALSE(r.truncated);

  auto seen = server.Requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].Header("user-agent"), "JikjiTest/1.0");
  EXPECT_EQ(seen[0].Header("accept-language"), "ko");
  EXPECT_NE(seen[0].Header("accept-encoding").find("gzip"), std::string::npos);
}

TEST(FetcherTest, NonSuccessStatusIsStillOk) {
  TestHttpServer server([](const HttpRequest&) { return HttpReply::Text(503, "busy"); });
  FetchResponse r = FetchOne({}, server.BaseUrl() + "/");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.body, "busy");
}

TEST(FetcherTest, FiftyConcurrentTransfersOnOneThreadAllComplete) {
  TestHttpServer server([](const HttpRequest& request) {
    HttpReply reply = HttpReply::Text(200, "body of " + request.target);
    reply.delay_ms = 20;  // keeps them overlapping
    return reply;
  });
  asio::io_context io;
  auto fetcher = MakeFetcher(io);
  constexpr int kCount = 50;
  std::map<uint64_t, FetchResponse> done;
  size_t max_in_flight = 0;
  for (int i = 0; i < kCount; ++i) {
    FetchRequest request;
    request.url = server.BaseUrl() + "/p" + std::to_string(i);
    request.tag = static_cast<uint64_t>(i);
    fetcher->Fetch(std::move(request), [&](FetchResponse r) { done[r.tag] = std::move(r); });
    max_in_flight = std::max(max_in_flight, fetcher->InFlight());
  }
  EXPECT_EQ(max_in_flight, static_cast<size_t>(kCount));
  ASSERT_TRUE(RunUntil(io, [&] { return done.size() == kCount; }));
  for (int i = 0; i < kCount; ++i) {
    const FetchResponse& r = done[static_cast<uint64_t>(i)];
    ASSERT_TRUE(r.status.ok()) << i << ": " << r.status.ToString();
    EXPECT_EQ(r.body, "body of /p" + std::to_string(i));
  }
  EXPECT_EQ(fetcher->InFlight(), 0u);
}

TEST(FetcherTest, CallbackMayStartTheNextFetch) {
  TestHttpServer server([](const HttpRequest& r) { return HttpReply::Text(200, r.target); });
  asio::io_context io;
  auto fetcher = MakeFetcher(io);
  std::vector<std::string> bodies;
  std::function<void(FetchResponse)> next = [&](FetchResponse r) {
    bodies.push_back(r.body);
    if (bodies.size() < 5) {
      fetcher->Fetch(Req(server.BaseUrl() + "/n" + std::to_string(bodies.size())), next);
    }
  };
  fetcher->Fetch(Req(server.BaseUrl() + "/n0"), next);
  ASSERT_TRUE(RunUntil(io, [&] { return bodies.size() == 5; }));
  EXPECT_EQ(bodies, (std::vector<std::string>{"/n0", "/n1", "/n2", "/n3", "/n4"}));
  // Sequential requests to one host reuse one connection.
  auto seen = server.Requests();
  ASSERT_EQ(seen.size(), 5u);
  for (const auto& req : seen) EXPECT_EQ(req.connection_id, seen[0].connection_id);
}

TEST(FetcherTest, CallbackNeverRunsInsideFetch) {
  asio::io_context io;
  auto fetcher = MakeFetcher(io);
  bool called = false;
  std::optional<FetchResponse> out;
  fetcher->Fetch(Req("not a url"), [&](FetchResponse r) {
    called = true;
    out = std::move(r);
  });
  EXPECT_FALSE(called);
  ASSERT_TRUE(RunUntil(io, [&] { return called; }));
  EXPECT_TRUE(out->status.IsInvalidArgument()) << out->status.ToString();
}

TEST(FetcherTest, NonHttpSchemeIsInvalidArgument) {
  FetchResponse r = FetchOne({}, "ftp://127.0.0.1/file");
  EXPECT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  EXPECT_EQ(r.url, "ftp://127.0.0.1/file");
}

TEST(FetcherTest, GzipBodyIsDecoded) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "정책 뉴스 line " + std::to_string(i) + "\n";
  TestHttpServer server([&](const HttpRequest&) {
    HttpReply reply = HttpReply::Text(200, text, "text/plain; charset=utf-8");
    reply.gzip = true;
    return reply;
  });
  FetchResponse r = FetchOne({}, server.BaseUrl() + "/gz");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.Header("content-encoding"), "gzip");
  EXPECT_EQ(r.body, text);
  EXPECT_LT(r.wire_bytes, text.size());  // counted before decoding
}

TEST(FetcherTest, GzipBombStopsAtBodyCap) {
  // 64 MiB of zeros shrink to ~64 KiB; served as-is with Content-Encoding.
  const std::string bomb = testing::GzipCompress(std::string(64 << 20, '\0'));
  ASSERT_LT(bomb.size(), 1u << 20);
  TestHttpServer server([&](const HttpRequest&) {
    HttpReply reply = HttpReply::Text(200, bomb, "text/html");
    reply.headers.emplace_back("Content-Encoding", "gzip");
    return reply;
  });
  FetcherOptions options;
  options.max_body_bytes = 1 << 20;
  FetchResponse r = FetchOne(options, server.BaseUrl() + "/bomb");
  EXPECT_TRUE(r.status.IsResourceExhausted()) << r.status.ToString();
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.http_status, 200);
  ASSERT_EQ(r.body.size(), size_t{1} << 20);
  EXPECT_EQ(r.body, std::string(1 << 20, '\0'));
}

TEST(FetcherTest, AsksForWhatItDecodesAndDecodesCapitalisedCodings) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "반도체 line " + std::to_string(i) + "\n";
  const std::string twice = testing::GzipCompress(testing::GzipCompress(text));
  TestHttpServer server([&](const HttpRequest&) {
    HttpReply reply = HttpReply::Text(200, twice, "text/plain; charset=utf-8");
    reply.headers.emplace_back("Content-Encoding", "GZIP");
    reply.headers.emplace_back("Content-Encoding", "x-gzip");
    return reply;
  });
  FetchResponse r = FetchOne({}, server.BaseUrl() + "/twice");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.body, text);
  auto seen = server.Requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].Header("accept-encoding"), "gzip, deflate, br, zstd");
}

TEST(FetcherTest, CorruptOrUnknownEncodingFailsAndKeepsTheBytes) {
  std::string corrupt = testing::GzipCompress(std::string(10000, 'x'));
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x5a);
  TestHttpServer server([&](const HttpRequest& req) {
    HttpReply reply = HttpReply::Text(200, req.target == "/lzw" ? "\x1f\x9d\x90" : corrupt);
    reply.headers.emplace_back("Content-Encoding", req.target == "/lzw" ? "compress" : "gzip");
    return reply;
  });
  FetchResponse r = FetchOne({}, server.BaseUrl() + "/corrupt");
  EXPECT_EQ(r.status.code(), Status::Code::kDataLoss) << r.status.ToString();
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body, corrupt);
  r = FetchOne({}, server.BaseUrl() + "/lzw");
  EXPECT_EQ(r.status.code(), Status::Code::kDataLoss) << r.status.ToString();
  EXPECT_NE(r.status.ToString().find("compress"), std::string::npos);
}

TEST(FetcherTest, PlainBodyOverCapIsTruncatedAtCap) {
  const std::string big(300'000, 'a');
  TestHttpServer server([&](const HttpRequest&) { return HttpReply::Text(200, big); });
  FetcherOptions options;
  options.max_body_bytes = 100'000;
  FetchResponse r = FetchOne(options, server.BaseUrl() + "/");
  EXPECT_TRUE(r.status.IsResourceExhausted()) << r.status.ToString();
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.body, big.substr(0, 100'000));
}

TEST(FetcherTest, EndlessBodyStopsAtCap) {
  HttpReply endless;
  endless.mode = HttpReply::Mode::kEndless;
  TestHttpServer server([&](const HttpRequest&) { return endless; });
  FetcherOptions options;
  options.max_body_bytes = 256 << 10;
  FetchResponse r = FetchOne(options, server.BaseUrl() + "/endless");
  EXPECT_TRUE(r.status.IsResourceExhausted()) << r.status.ToString();
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.body.size(), size_t{256} << 10);
}

// Our cap on the header block, and libcurl's on one header line (100 KB,
// which it reports as out of memory) both end as ResourceExhausted.
TEST(FetcherTest, HeadersOverCapAreResourceExhausted) {
  const std::vector<Headers> oversized = {
      [] {
        Headers many;
        for (int i = 0; i < 400; ++i) {
          many.emplace_back("X-Filler-" + std::to_string(i), std::string(1000, 'f'));
        }
        return many;
      }(),
      {{"X-Huge", std::string(300 << 10, 'h')}},
  };
  for (const Headers& headers : oversized) {
    TestHttpServer server([&headers](const HttpRequest&) {
      HttpReply reply = HttpReply::Text(200, "x");
      reply.headers.insert(reply.headers.end(), headers.begin(), headers.end());
      return reply;
    });
    FetchResponse r = FetchOne({}, server.BaseUrl() + "/");
    EXPECT_TRUE(r.status.IsResourceExhausted()) << r.status.ToString();
    EXPECT_NE(r.status.message().find("header"), std::string::npos) << r.status.message();
  }
}

// A response that breaks HTTP is not transient: no retry would fix it.
TEST(FetcherTest, MalformedResponseIsDataLossNotRetryable) {
  TestHttpServer server([](const HttpRequest&) {
    HttpReply reply = HttpReply::Text(200, "hello");
    reply.headers.emplace_back("Content-Length", "-5");
    return reply;
  });
  FetchResponse r = FetchOne({}, server.BaseUrl() + "/");
  EXPECT_EQ(r.status.code(), Status::Code::kDataLoss) << r.status.ToString();
  EXPECT_FALSE(r.status.IsRetryable());
  EXPECT_NE(r.status.message().find("malformed response"), std::string::npos) << r.status.message();
}

TEST(FetcherTest, RedirectChainIsRecorded) {
  Routes routes;
  TestHttpServer server(routes.AsHandler());
  const std::string base = server.BaseUrl();
  HttpReply first = HttpReply::Redirect(301, "/b");
  first.headers.emplace_back("X-Hop", "first");
  routes.Add("/a", first);
  routes.Add("/b", HttpReply::Redirect(302, base + "/c?x=1"));
  routes.Add("/c?x=1", HttpReply::Redirect(307, "d"));
  routes.Add("/d", HttpReply::Text(200, "final"));

  FetchResponse r = FetchOne({}, base + "/a");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body, "final");
  EXPECT_EQ(r.url, base + "/a");
  EXPECT_EQ(r.final_url, base + "/d");
  EXPECT_EQ(r.redirect_chain,
            (std::vector<std::string>{base + "/a", base + "/b", base + "/c?x=1"}));
  // Headers are those of the final response only.
  EXPECT_EQ(r.Header("x-hop"), "");
  EXPECT_EQ(server.Requests().size(), 4u);
}

TEST(FetcherTest, ConditionalHeadersAreNotSentToRedirectTarget) {
  Routes routes;
  routes.Add("/old", HttpReply::Redirect(301, "/new"));
  routes.Add("/new", HttpReply::Text(200, "new"));
  TestHttpServer server(routes.AsHandler());
  FetchRequest request;
  request.url = server.BaseUrl() + "/old";
  request.if_none_match = "\"etag-of-old\"";
  FetchResponse r = FetchOne({}, request);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  auto seen = server.Requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].Header("if-none-match"), "\"etag-of-old\"");
  EXPECT_EQ(seen[1].Header("if-none-match"), "");
}

TEST(FetcherTest, RedirectLoopIsDetected) {
  Routes routes;
  routes.Add("/x", HttpReply::Redirect(302, "/y"));
  routes.Add("/y", HttpReply::Redirect(302, "/x"));
  TestHttpServer server(routes.AsHandler());
  const std::string base = server.BaseUrl();
  FetchResponse r = FetchOne({}, base + "/x");
  EXPECT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  EXPECT_EQ(r.status.message(), "redirect loop: " + base + "/x -> " + base + "/y -> " + base + "/x");
  EXPECT_EQ(r.redirect_chain, (std::vector<std::string>{base + "/x"}));
  EXPECT_EQ(server.Requests().size(), 2u);
}

TEST(FetcherTest, SelfRedirectIsALoop) {
  TestHttpServer server([](const HttpRequest&) { return HttpReply::Redirect(301, "/same"); });
  FetchResponse r = FetchOne({}, server.BaseUrl() + "/same");
  EXPECT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  EXPECT_NE(r.status.message().find("redirect loop"), std::string::npos);
}

TEST(FetcherTest, TooManyRedirects) {
  TestHttpServer server([](const HttpRequest& request) {
    int n = std::stoi(request.target.substr(3));  // "/r/N"
    return HttpReply::Redirect(302, "/r/" + std::to_string(n + 1));
  });
  FetcherOptions options;
  options.max_redirects = 3;
  FetchResponse r = FetchOne(options, server.BaseUrl() + "/r/0");
  EXPECT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  EXPECT_NE(r.status.message().find("too many redirects"), std::string::npos);
  EXPECT_EQ(r.redirect_chain.size(), 3u);
  EXPECT_EQ(server.Requests().size(), 4u);
}

TEST(FetcherTest, RedirectToNonHttpSchemeIsInvalidArgument) {
  TestHttpServer server([](const HttpRequest&) {
    return HttpReply::Redirect(302, "ftp://127.0.0.1/file");
  });
  FetchResponse r = FetchOne({}, server.BaseUrl() + "/");
  EXPECT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  EXPECT_EQ(server.Requests().size(), 1u);
}

TEST(FetcherTest, RedirectWithoutLocationIsFinal) {
  TestHttpServer server([](const HttpRequest&) { return HttpReply::Text(302, "nowhere"); });
  FetchResponse r = FetchOne({}, server.BaseUrl() + "/");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.http_status, 302);
  EXPECT_TRUE(r.redirect_chain.empty());
}

TEST(FetcherTest, StallAfterHeadersIsDeadlineExceeded) {
  TestHttpServer server([](const HttpRequest&) {
    HttpReply reply = HttpReply::Text(200, std::string(10'000, 'z'));
    reply.mode = HttpReply::Mode::kStallAfterHeaders;
    return reply;
  });
  FetcherOptions options;
  options.total_timeout_ms = 300;
  FetchResponse r = FetchOne(options, server.BaseUrl() + "/stall");
  EXPECT_EQ(r.status.code(), Status::Code::kDeadlineExceeded) << r.status.ToString();
}

TEST(FetcherTest, NoResponseIsDeadlineExceeded) {
  TestHttpServer server([](const HttpRequest&) {
    HttpReply reply;
    reply.mode = HttpReply::Mode::kNoResponse;
    return reply;
  });
  FetcherOptions options;
  options.total_timeout_ms = 300;
  FetchResponse r = FetchOne(options, server.BaseUrl() + "/silent");
  EXPECT_EQ(r.status.code(), Status::Code::kDeadlineExceeded) << r.status.ToString();
  EXPECT_EQ(r.http_status, 0);
}

TEST(FetcherTest, LowSpeedIsDeadlineExceeded) {
  TestHttpServer server([](const HttpRequest&) {
    HttpReply reply = HttpReply::Text(200, std::string(10'000, 'z'));
    reply.mode = HttpReply::Mode::kStallAfterHeaders;
    return reply;
  });
  FetcherOptions options;
  options.low_speed_bytes = 1000;
  options.low_speed_time_s = 1;
  FetchResponse r = FetchOne(options, server.BaseUrl() + "/slow");
  EXPECT_EQ(r.status.code(), Status::Code::kDeadlineExceeded) << r.status.ToString();
}

TEST(FetcherTest, ResetMidBodyIsUnavailable) {
  TestHttpServer server([](const HttpRequest&) {
    HttpReply reply = HttpReply::Text(200, std::string(200'000, 'r'));
    reply.mode = HttpReply::Mode::kResetMidBody;
    return reply;
  });
  FetchResponse r = FetchOne({}, server.BaseUrl() + "/reset");
  EXPECT_TRUE(r.status.IsUnavailable()) << r.status.ToString();
  EXPECT_TRUE(r.status.IsRetryable());
}

TEST(FetcherTest, TruncatedBodyIsUnavailable) {
  TestHttpServer server([](const HttpRequest&) {
    HttpReply reply = HttpReply::Text(200, std::string(50'000, 't'));
    reply.mode = HttpReply::Mode::kTruncate;
    return reply;
  });
  FetchResponse r = FetchOne({}, server.BaseUrl() + "/truncate");
  EXPECT_TRUE(r.status.IsUnavailable()) << r.status.ToString();
}

TEST(FetcherTest, ConnectionRefusedIsUnavailable) {
  int port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }  // closed: nothing listens there now
  FetchResponse r = FetchOne({}, "http://127.0.0.1:" + std::to_string(port) + "/");
  EXPECT_TRUE(r.status.IsUnavailable()) << r.status.ToString();
  EXPECT_EQ(r.http_status, 0);
}

TEST(FetcherTest, ConditionalGetSendsValidatorsAndPassesNotModified) {
  TestHttpServer server([](const HttpRequest& request) {
    if (request.Header("if-none-match") == "\"v1\"") {
      HttpReply reply;
      reply.status = 304;
      reply.headers.emplace_back("ETag", "\"v1\"");
      return reply;
    }
    return HttpReply::Text(200, "fresh");
  });
  FetchRequest request;
  request.url = server.BaseUrl() + "/cond";
  request.if_none_match = "\"v1\"";
  request.if_modified_since = "Wed, 05 Feb 2025 10:00:00 GMT";
  FetchResponse r = FetchOne({}, request);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.http_status, 304);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.Header("etag"), "\"v1\"");
  auto seen = server.Requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].Header("if-none-match"), "\"v1\"");
  EXPECT_EQ(seen[0].Header("if-modified-since"), "Wed, 05 Feb 2025 10:00:00 GMT");
}

TEST(FetcherTest, ResolvePinningReachesServerWithHostName) {
  TestHttpServer server([](const HttpRequest& r) { return HttpReply::Text(200, "host " + r.host); });
  const std::string port = std::to_string(server.port());
  FetcherOptions options;
  options.resolve = {"news.example.test:" + port + ":127.0.0.1"};
  FetchResponse r = FetchOne(options, "http://news.example.test:" + port + "/");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.body, "host news.example.test");
  EXPECT_EQ(r.remote_ip, "127.0.0.1");
  auto seen = server.Requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].host, "news.example.test");
}

TEST(FetcherTest, CrossHostRedirectUsesPinnedAddresses) {
  TestHttpServer target([](const HttpRequest& r) { return HttpReply::Text(200, "at " + r.host); });
  const std::string target_port = std::to_string(target.port());
  TestHttpServer origin([&](const HttpRequest&) {
    return HttpReply::Redirect(303, "http://B.Example.Test:" + target_port + "/landing");
  });
  const std::string origin_port = std::to_string(origin.port());
  FetcherOptions options;
  options.resolve = {"a.example.test:" + origin_port + ":127.0.0.1",
                     "b.example.test:" + target_port + ":127.0.0.1"};
  FetchResponse r = FetchOne(options, "http://a.example.test:" + origin_port + "/start");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.body, "at b.example.test");
  EXPECT_EQ(r.final_url, "http://b.example.test:" + target_port + "/landing");
  EXPECT_EQ(r.redirect_chain,
            (std::vector<std::string>{"http://a.example.test:" + origin_port + "/start"}));
  ASSERT_EQ(origin.Requests().size(), 1u);
  EXPECT_EQ(origin.Requests()[0].host, "a.example.test");
}

TEST(FetcherTest, MalformedResolveEntryIsInvalidArgument) {
  asio::io_context io;
  for (const char* entry : {"", "nohost", "host:80", "host::1.2.3.4", "host:http:1.2.3.4",
                            "host:99999:1.2.3.4", "host:80:", "host:80:not-an-ip",
                            ":80:127.0.0.1", "host:80:127.0.0.1,bogus"}) {
    FetcherOptions options;
    options.resolve = {entry};
    auto made = NewCurlFetcher(io, options);
    EXPECT_FALSE(made.ok()) << entry;
    if (!made.ok()) {
      EXPECT_TRUE(made.status().IsInvalidArgument()) << entry;
    }
  }
  FetcherOptions good;
  good.resolve = {"a.test:443:127.0.0.1", "b.test:80:[::1]", "c.test:8080:127.0.0.1,127.0.0.2"};
  EXPECT_TRUE(NewCurlFetcher(io, good).ok());
}

TEST(FetcherTest, CancelAllCancelsEveryTransfer) {
  TestHttpServer server([](const HttpRequest&) {
    HttpReply reply;
    reply.mode = HttpReply::Mode::kNoResponse;
    return reply;
  });
  asio::io_context io;
  auto fetcher = MakeFetcher(io);
  constexpr int kCount = 5;
  std::vector<FetchResponse> done;
  for (int i = 0; i < kCount; ++i) {
    fetcher->Fetch(Req(server.BaseUrl() + "/c" + std::to_string(i)),
                   [&](FetchResponse r) { done.push_back(std::move(r)); });
  }
  // Let every request reach the server before cancelling.
  ASSERT_TRUE(RunUntil(io, [&] { return server.Requests().size() == kCount; }));
  EXPECT_EQ(fetcher->InFlight(), static_cast<size_t>(kCount));
  fetcher->CancelAll();
  EXPECT_EQ(fetcher->InFlight(), 0u);
  EXPECT_TRUE(done.empty());  // posted, not run inside CancelAll
  ASSERT_TRUE(RunUntil(io, [&] { return done.size() == kCount; }));
  for (const auto& r : done) {
    EXPECT_EQ(r.status.code(), Status::Code::kCancelled) << r.status.ToString();
  }
  // The fetcher still works afterwards.
  TestHttpServer ok([](const HttpRequest&) { return HttpReply::Text(200, "ok"); });
  std::optional<FetchResponse> after;
  fetcher->Fetch(Req(ok.BaseUrl() + "/"), [&](FetchResponse r) { after = std::move(r); });
  ASSERT_TRUE(RunUntil(io, [&] { return after.has_value(); }));
  EXPECT_TRUE(after->status.ok()) << after->status.ToString();
}

TEST(FetcherTest, DestroyWithTransfersInFlightRunsNoCallbacks) {
  TestHttpServer server([](const HttpRequest& request) {
    HttpReply reply = HttpReply::Text(200, std::string(100'000, 'b'));
    if (request.target == "/stall") reply.mode = HttpReply::Mode::kStallAfterHeaders;
    if (request.target == "/silent") reply.mode = HttpReply::Mode::kNoResponse;
    return reply;
  });
  asio::io_context io;
  auto fetcher = MakeFetcher(io);
  int callbacks = 0;
  for (const char* path : {"/stall", "/silent", "/stall", "/fast"}) {
    fetcher->Fetch(Req(server.BaseUrl() + path), [&](FetchResponse) { ++callbacks; });
  }
  ASSERT_TRUE(RunUntil(io, [&] { return server.Requests().size() == 4; }));
  RunFor(io, std::chrono::milliseconds(50));  // "/fast" may complete and post
  fetcher.reset();
  const int before = callbacks;
  RunFor(io, std::chrono::milliseconds(200));
  EXPECT_EQ(callbacks, before);
  EXPECT_LE(callbacks, 1);
}

TEST(FetcherTest, CallbackMayDestroyTheFetcher) {
  TestHttpServer server([](const HttpRequest& request) {
    HttpReply reply = HttpReply::Text(200, "x");
    if (request.target != "/first") reply.delay_ms = 200;
    return reply;
  });
  asio::io_context io;
  auto fetcher = MakeFetcher(io);
  int callbacks = 0;
  fetcher->Fetch(Req(server.BaseUrl() + "/first"), [&](FetchResponse r) {
    ++callbacks;
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    fetcher.reset();
  });
  for (int i = 0; i < 3; ++i) {
    fetcher->Fetch(Req(server.BaseUrl() + "/later"), [&](FetchResponse) { ++callbacks; });
  }
  ASSERT_TRUE(RunUntil(io, [&] { return fetcher == nullptr; }));
  RunFor(io, std::chrono::milliseconds(400));
  EXPECT_EQ(callbacks, 1);
}

TEST(FetcherTest, TimeoutIsPerFetchAcrossRedirects) {
  Routes routes;
  HttpReply slow_redirect = HttpReply::Redirect(302, "/slow2");
  slow_redirect.delay_ms = 400;
  routes.Add("/slow1", slow_redirect);
  HttpReply slow_final = HttpReply::Text(200, "late");
  slow_final.delay_ms = 400;
  routes.Add("/slow2", slow_final);
  TestHttpServer server(routes.AsHandler());
  FetcherOptions options;
  options.total_timeout_ms = 600;  // each hop fits, both together do not
  FetchResponse r = FetchOne(options, server.BaseUrl() + "/slow1");
  EXPECT_EQ(r.status.code(), Status::Code::kDeadlineExceeded) << r.status.ToString();
}

}  // namespace
}  // namespace jikji::crawler
