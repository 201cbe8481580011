#include "ops/admin_server.h"

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ops/metrics.h"
#include "tests/testing/paths.h"

namespace jikji::ops {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A blocking loopback client: one connection, many requests.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  http::response<http::string_body> Send(http::verb method, const std::string& target,
                                         const std::string& authorization = "", bool keep_alive = true) {
    http::request<http::string_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    req.keep_alive(keep_alive);
    req.prepare_payload();
    http::write(socket_, req);
    return Read();
  }

  http::response<http::string_body> Read() {
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    return res;
  }

  void WriteRaw(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

  // Reads until the server closes; returns what arrived and the error that ended it.
  std::string ReadToClose(boost::system::error_code* ec) {
    std::string data;
    char buf[1024];
    while (true) {
      size_t n = socket_.read_some(asio::buffer(buf), *ec);
      data.append(buf, n);
      if (*ec) return data;
    }
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

http::response<http::string_body> Get(uint16_t port, const std::string& target, const std::string& auth = "") {
  Client c(port);
  return c.Send(http::verb::get, target, auth, false);
}

std::unique_ptr<AdminServer> StartOrDie(AdminServerOptions options) {
  options.listen = "127.0.0.1:0";
  auto server = AdminServer::Start(std::move(options));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  if (!server.ok()) return nullptr;
  EXPECT_NE((*server)->port(), 0);
  return std::move(*server);
}

TEST(AdminServerTest, HealthzReadyzMetricsStatus) {
  MetricsRegistry registry;
  (*registry.AddCounter("jikji_fetches_total", "Fetches.", {"host", "status"}))->Labels({"a.kr", "200"})->Inc(7);
  std::atomic<bool> ready{false};
  AdminServerOptions o;
  o.metrics = &registry;
  o.ready = [&] { return ready.load(); };
  o.status = [] { return nlohmann::json{{"state", "crawling"}, {"queue", 12}, {"title", "한국"}}; };
  auto server = StartOrDie(o);
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();

  auto res = Get(port, "/healthz");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "ok\n");

  res = Get(port, "/readyz");
  EXPECT_EQ(res.result_int(), 503);
  ready = true;
  res = Get(port, "/readyz");
  EXPECT_EQ(res.result_int(), 200);

  res = Get(port, "/metrics");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(std::string(res[http::field::content_type]), std::string(kPrometheusContentType));
  EXPECT_EQ(res.body(), registry.Render());
  EXPECT_NE(res.body().find("jikji_fetches_total{host=\"a.kr\",status=\"200\"} 7\n"), std::string::npos);

  res = Get(port, "/status?verbose=1");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(std::string(res[http::field::content_type]), "application/json");
  auto json = nlohmann::json::parse(res.body());
  EXPECT_EQ(json["state"], "crawling");
  EXPECT_EQ(json["queue"], 12);
  EXPECT_EQ(json["title"], "한국");
}

TEST(AdminServerTest, DefaultsWithoutCallbacks) {
  auto server = StartOrDie({});
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Get(server->port(), "/readyz").result_int(), 200);
  auto res = Get(server->port(), "/metrics");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "");
  res = Get(server->port(), "/status");
  EXPECT_EQ(nlohmann::json::parse(res.body()), nlohmann::json::object());
}

TEST(AdminServerTest, NotFoundAndMethodNotAllowed) {
  auto server = StartOrDie({});
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Get(server->port(), "/").result_int(), 404);
  EXPECT_EQ(Get(server->port(), "/metricsx").result_int(), 404);
  EXPECT_EQ(Get(server->port(), "/healthz/").result_int(), 404);
  Client c(server->port());
  auto res = c.Send(http::verb::post, "/metrics");
  EXPECT_EQ(res.result_int(), 405);
  EXPECT_EQ(std::string(res[http::field::allow]), "GET");
  EXPECT_EQ(c.Send(http::verb::delete_, "/healthz").result_int(), 405);
  // Same connection still serves (keep-alive after an error response).
  EXPECT_EQ(c.Send(http::verb::get, "/healthz").result_int(), 200);
}

TEST(AdminServerTest, BearerTokenGuardsAllButProbes) {
  MetricsRegistry registry;
  AdminServerOptions o;
  o.metrics = &registry;
  o.bearer_token = "s3cret-token";
  auto server = StartOrDie(o);
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  EXPECT_EQ(Get(port, "/healthz").result_int(), 200);
  EXPECT_EQ(Get(port, "/readyz").result_int(), 200);
  auto res = Get(port, "/metrics");
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(std::string(res[http::field::www_authenticate]), "Bearer realm=\"jikji\"");
  EXPECT_EQ(Get(port, "/status").result_int(), 401);
  EXPECT_EQ(Get(port, "/nowhere").result_int(), 401);  // no probing of paths without the token
  EXPECT_EQ(Get(port, "/metrics", "Bearer wrong").result_int(), 401);
  EXPECT_EQ(Get(port, "/metrics", "Bearer s3cret-toke").result_int(), 401);   // prefix
  EXPECT_EQ(Get(port, "/metrics", "Bearer s3cret-tokenX").result_int(), 401);  // extension
  EXPECT_EQ(Get(port, "/metrics", "Basic s3cret-token").result_int(), 401);
  EXPECT_EQ(Get(port, "/metrics", "s3cret-token").result_int(), 401);
  EXPECT_EQ(Get(port, "/metrics", "Bearer s3cret-token").result_int(), 200);
  EXPECT_EQ(Get(port, "/metrics", "bearer s3cret-token").result_int(), 200);  // scheme is case-insensitive
  EXPECT_EQ(Get(port, "/status", "Bearer s3cret-token").result_int(), 200);
  EXPECT_EQ(Get(port, "/nowhere", "Bearer s3cret-token").result_int(), 404);
}

TEST(AdminServerTest, ThrowingCallbackGives500) {
  AdminServerOptions o;
  o.status = []() -> nlohmann::json { throw std::runtime_error("boom"); };
  o.ready = []() -> bool { throw std::runtime_error("boom"); };
  auto server = StartOrDie(o);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Get(server->port(), "/status").result_int(), 500);
  EXPECT_EQ(Get(server->port(), "/readyz").result_int(), 500);
  EXPECT_EQ(Get(server->port(), "/healthz").result_int(), 200);
}

TEST(AdminServerTest, KeepAliveServesSeveralRequests) {
  auto server = StartOrDie({});
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  for (int i = 0; i < 5; ++i) {
    auto res = c.Send(http::verb::get, "/healthz");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res.keep_alive());
  }
}

TEST(AdminServerTest, SlowClientDoesNotBlockOthers) {
  auto server = StartOrDie({});
  ASSERT_NE(server, nullptr);
  Client slow(server->port());
  slow.WriteRaw("GET /healthz HTTP/1.1\r\nHo");  // half a request, then silence
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Get(server->port(), "/healthz").result_int(), 200);
  slow.WriteRaw("st: x\r\n\r\n");  // the slow one finishes and is served too
  EXPECT_EQ(slow.Read().result_int(), 200);
}

TEST(AdminServerTest, IdleConnectionIsClosedAfterTimeout) {
  AdminServerOptions o;
  o.request_timeout = std::chrono::milliseconds(200);
  auto server = StartOrDie(o);
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  c.WriteRaw("GET /heal");
  boost::system::error_code ec;
  std::string got = c.ReadToClose(&ec);  // returns once the server gives up
  EXPECT_EQ(got, "");
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

TEST(AdminServerTest, OversizedHeaderGets431) {
  AdminServerOptions o;
  o.header_limit_bytes = 1024;
  auto server = StartOrDie(o);
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  c.WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  auto res = c.Read();
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_FALSE(res.keep_alive());
}

TEST(AdminServerTest, OversizedBodyGets413) {
  AdminServerOptions o;
  o.body_limit_bytes = 16;
  auto server = StartOrDie(o);
  ASSERT_NE(server, nullptr);
  Client c(server->port());
  c.WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'));
  EXPECT_EQ(c.Read().result_int(), 413);
}

TEST(AdminServerTest, ConnectionsOverTheCapAreClosed) {
  AdminServerOptions o;
  o.max_connections = 2;
  auto server = StartOrDie(o);
  ASSERT_NE(server, nullptr);
  // Two connections, each proven accepted by one served request, held open.
  Client a(server->port());
  Client b(server->port());
  ASSERT_EQ(a.Send(http::verb::get, "/healthz").result_int(), 200);
  ASSERT_EQ(b.Send(http::verb::get, "/healthz").result_int(), 200);
  Client over(server->port());
  over.WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  boost::system::error_code ec;
  std::string got = over.ReadToClose(&ec);
  EXPECT_EQ(got, "");  // closed without an answer
  // The held ones still work.
  EXPECT_EQ(a.Send(http::verb::get, "/healthz").result_int(), 200);
}

TEST(AdminServerTest, StopWhileClientHoldsConnection) {
  auto server = StartOrDie({});
  ASSERT_NE(server, nullptr);
  Client held(server->port());
  ASSERT_EQ(held.Send(http::verb::get, "/healthz").result_int(), 200);  // accepted, kept alive
  Client half(server->port());
  half.WriteRaw("GET /status HTTP/1.1\r\n");
  server->Stop();  // must return although both connections are open
  boost::system::error_code ec;
  held.ReadToClose(&ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  half.ReadToClose(&ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  server->Stop();  // idempotent
  // The port is released: a new connection is refused.
  asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->port()), ec);
  EXPECT_TRUE(ec) << "listener still open after Stop()";
}

TEST(AdminServerTest, PortInUseIsUnavailable) {
  auto first = StartOrDie({});
  ASSERT_NE(first, nullptr);
  AdminServerOptions o;
  o.listen = "127.0.0.1:" + std::to_string(first->port());
  auto second = AdminServer::Start(o);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsUnavailable()) << second.status().ToString();
}

TEST(AdminServerTest, ParseListenAddress) {
  std::string host;
  uint16_t port = 1;
  ASSERT_TRUE(ParseListenAddress("127.0.0.1:9310", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9310);
  ASSERT_TRUE(ParseListenAddress("0.0.0.0:0", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListenAddress("[::1]:8080", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(ParseListenAddress("localhost:1", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  for (const char* bad : {"", "9310", ":9310", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:http",
                          "::1:9310", "[::1]9310", "[::1", "example.com:9310", "127.0.0.1:123456"}) {
    EXPECT_TRUE(ParseListenAddress(bad, &host, &port).IsInvalidArgument()) << bad;
  }
  AdminServerOptions o;
  o.listen = "nope";
  EXPECT_TRUE(AdminServer::Start(o).status().IsInvalidArgument());
}

TEST(AdminServerTest, ReadAdminToken) {
  testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir.Sub(name), std::ios::binary) << content;
    return dir.Sub(name);
  };
  auto t = ReadAdminToken(write("ok", "  s3cret-token\n"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, "s3cret-token");
  EXPECT_TRUE(ReadAdminToken(dir.Sub("missing")).status().IsNotFound());
  EXPECT_TRUE(ReadAdminToken(write("empty", " \n\t")).status().IsInvalidArgument());
  EXPECT_TRUE(ReadAdminToken(write("space", "two words\n")).status().IsInvalidArgument());
  EXPECT_TRUE(ReadAdminToken(write("ctl", std::string("a\0b", 3))).status().IsInvalidArgument());
  EXPECT_TRUE(ReadAdminToken(write("long", std::string(kMaxAdminTokenBytes + 1, 'x'))).status().IsInvalidArgument());
  auto max = ReadAdminToken(write("max", std::string(kMaxAdminTokenBytes, 'y') + "\n"));
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  EXPECT_EQ(max->size(), kMaxAdminTokenBytes);
}

TEST(AdminServerTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0", 2), "a"));
}

}  // namespace
}  // namespace jikji::ops
