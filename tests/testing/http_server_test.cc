// TestHttpServer driven by a raw TCP client, so that each misbehaviour is
// seen exactly as it appears on the wire.
#include "tests/testing/http_server.h"
#include "tests/testing/paths.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <thread>
#include <optional>
#include <string>

namespace jikji::testing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// A blocking-looking client built on async reads with a deadline, so that
// "nothing arrives" is observable without hanging the test.
class RawClient {
 public:
  explicit RawClient(const TestHttpServer& server) : socket_(io_) {
    socket_.connect({asio::ip::make_address(server.address()), static_cast<uint16_t>(server.port())});
  }

  void Send(const std::string& data) { asio::write(socket_, asio::buffer(data)); }

  // Reads until `enough(received)` holds, the peer closes/resets, or
  // `timeout` passes. Returns the error that ended reading: {} when enough
  // arrived, asio::error::timed_out when the time ran out.
  template <typename Pred>
  error_code ReadUntil(Pred enough, std::chrono::milliseconds timeout) {
    error_code result;
    bool finished = false;
    std::function<void()> read_more = [&] {
      socket_.async_read_some(asio::buffer(chunk_), [&](error_code ec, size_t n) {
        received_.append(chunk_, n);
        if (ec) {
          result = ec;
          finished = true;
          return;
        }
        if (enough(received_)) {
          finished = true;
          return;
        }
        read_more();
      });
    };
    if (enough(received_)) return result;
    read_more();
    io_.restart();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!finished && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(std::chrono::milliseconds(10));
    }
    if (!finished) {
      socket_.cancel();
      io_.restart();
      io_.run();  // the cancelled read completes
      result = asio::error::timed_out;
    }
    return result;
  }

  // Reads until EOF/reset or timeout.
  error_code ReadAll(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return ReadUntil([](const std::string&) { return false; }, timeout);
  }

  std::string& received() { return received_; }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  std::string received_;
  char chunk_[16 * 1024];
};

struct ParsedResponse {
  std::string status_line;
  std::string head;  // header block, lower-cased
  std::string body;
  bool complete = false;
};

// Splits one Content-Length response off the front of `data`.
std::optional<ParsedResponse> TakeResponse(std::string& data) {
  size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  ParsedResponse r;
  r.status_line = data.substr(0, data.find("\r\n"));
  r.head = data.substr(0, end + 2);
  for (char& c : r.head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t length = 0;
  size_t cl = r.head.find("\r\ncontent-length: ");
  if (cl != std::string::npos) length = std::stoul(r.head.substr(cl + 18));
  size_t available = data.size() - end - 4;
  r.body = data.substr(end + 4, std::min(length, available));
  r.complete = available >= length;
  data.erase(0, end + 4 + r.body.size());
  return r;
}

bool HasCompleteResponses(const std::string& data, int count) {
  std::string copy = data;
  for (int i = 0; i < count; ++i) {
    auto r = TakeResponse(copy);
    if (!r || !r->complete) return false;
  }
  return true;
}

HttpReply WithMode(HttpReply reply, HttpReply::Mode mode) {
  reply.mode = mode;
  return reply;
}

TEST(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  TestHttpServer server([](const HttpRequest& r) { return HttpReply::Text(200, "at " + r.target); });
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(server.address(), "127.0.0.1");
  EXPECT_EQ(server.BaseUrl(), "http://127.0.0.1:" + std::to_string(server.port()));

  RawClient client(server);
  client.Send("GET /one HTTP/1.1\r\nHost: News.Example.COM:8080\r\nX-Thing: A b\r\n\r\n");
  ASSERT_FALSE(client.ReadUntil([](const std::string& d) { return HasCompleteResponses(d, 1); },
                                std::chrono::seconds(10)));
  client.Send("GET /two?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  ASSERT_FALSE(client.ReadUntil([](const std::string& d) { return HasCompleteResponses(d, 2); },
                                std::chrono::seconds(10)));
  auto first = TakeResponse(client.received());
  auto second = TakeResponse(client.received());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(first->body, "at /one");
  EXPECT_NE(first->head.find("content-type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_EQ(second->body, "at /two?x=1");

  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/one");
  EXPECT_EQ(requests[0].host, "news.example.com");
  EXPECT_EQ(requests[0].Header("x-thing"), "A b");
  EXPECT_EQ(requests[0].peer.rfind("127.0.0.1:", 0), 0u) << requests[0].peer;
  EXPECT_GT(requests[0].received_micros, 1'600'000'000'000'000);
  EXPECT_LE(requests[0].received_micros, requests[1].received_micros);
  EXPECT_EQ(requests[0].connection_id, requests[1].connection_id);
  EXPECT_EQ(requests[1].host, "127.0.0.1");

  server.ClearRequests();
  EXPECT_TRUE(server.Requests().empty());
}

TEST(HttpServerTest, SeparateConnectionsGetDistinctIds) {
  TestHttpServer server([](const HttpRequest&) { return HttpReply::Text(200, "x"); });
  for (int i = 0; i < 2; ++i) {
    RawClient client(server);
    client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    client.ReadUntil([](const std::string& d) { return HasCompleteResponses(d, 1); },
                     std::chrono::seconds(10));
  }
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].connection_id, requests[1].connection_id);
}

TEST(HttpServerTest, ConnectionCloseIsHonoured) {
  TestHttpServer server([](const HttpRequest&) { return HttpReply::Text(200, "bye"); });
  RawClient client(server);
  client.Send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(client.ReadAll(), asio::error::eof);
  auto r = TakeResponse(client.received());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "bye");
  EXPECT_NE(r->head.find("connection: close"), std::string::npos);
}

TEST(HttpServerTest, HeadAndNotModifiedHaveNoBody) {
  TestHttpServer server([](const HttpRequest& r) {
    if (r.target == "/304") {
      HttpReply reply;
      reply.status = 304;
      return reply;
    }
    return HttpReply::Text(200, "twelve bytes");
  });
  RawClient client(server);
  client.Send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /304 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(client.ReadAll(), asio::error::eof);
  const std::string& all = client.received();
  EXPECT_NE(all.find("Content-Length: 12\r\n"), std::string::npos) << all;
  EXPECT_EQ(all.find("twelve bytes"), std::string::npos) << all;
  EXPECT_NE(all.find("HTTP/1.1 304 Not Modified\r\n"), std::string::npos) << all;
}

TEST(HttpServerTest, RedirectHelperSetsLocation) {
  TestHttpServer server([](const HttpRequest&) { return HttpReply::Redirect(301, "/new"); });
  RawClient client(server);
  client.Send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  client.ReadAll();
  auto r = TakeResponse(client.received());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_line, "HTTP/1.1 301 Moved Permanently");
  EXPECT_NE(r->head.find("\r\nlocation: /new\r\n"), std::string::npos);
}

TEST(HttpServerTest, GzipReplyIsCompressedAndLabelled) {
  const std::string text(100'000, 'g');
  TestHttpServer server([&](const HttpRequest&) {
    HttpReply reply = HttpReply::Text(200, text);
    reply.gzip = true;
    return reply;
  });
  RawClient client(server);
  client.Send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  client.ReadAll();
  auto r = TakeResponse(client.received());
  ASSERT_TRUE(r && r->complete);
  EXPECT_NE(r->head.find("content-encoding: gzip"), std::string::npos);
  EXPECT_LT(r->body.size(), text.size());
  EXPECT_EQ(Gunzip(r->body), text);
}

TEST(HttpServerTest, GzipCompressRoundTrips) {
  for (const std::string& s : {std::string(), std::string("hello"), std::string(3'000'000, 'z')}) {
    std::string gz = GzipCompress(s);
    ASSERT_GE(gz.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
    EXPECT_EQ(Gunzip(gz), s);
  }
}

TEST(HttpServerTest, DelayedReplyArrives) {
  TestHttpServer server([](const HttpRequest&) {
    HttpReply reply = HttpReply::Text(200, "late");
    reply.delay_ms = 50;
    return reply;
  });
  RawClient client(server);
  client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  client.ReadUntil([](const std::string& d) { return HasCompleteResponses(d, 1); },
                   std::chrono::seconds(10));
  auto r = TakeResponse(client.received());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "late");
}

TEST(HttpServerTest, StallAfterHeadersSendsHeadersOnly) {
  TestHttpServer server([](const HttpRequest&) {
    return WithMode(HttpReply::Text(200, std::string(1000, 's')), HttpReply::Mode::kStallAfterHeaders);
  });
  RawClient client(server);
  client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  client.ReadUntil([](const std::string& d) { return d.find("\r\n\r\n") != std::string::npos; },
                   std::chrono::seconds(10));
  // Nothing more comes, and the connection stays open.
  EXPECT_EQ(client.ReadAll(std::chrono::milliseconds(200)), asio::error::timed_out);
  auto r = TakeResponse(client.received());
  ASSERT_TRUE(r);
  EXPECT_NE(r->head.find("content-length: 1000"), std::string::npos);
  EXPECT_TRUE(r->body.empty());
  EXPECT_FALSE(r->complete);
}

TEST(HttpServerTest, ResetMidBodyResetsTheConnection) {
  TestHttpServer server([](const HttpRequest&) {
    return WithMode(HttpReply::Text(200, std::string(1000, 'r')), HttpReply::Mode::kResetMidBody);
  });
  RawClient client(server);
  client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  error_code ec = client.ReadAll();
  EXPECT_EQ(ec, asio::error::connection_reset) << ec.message();
}

TEST(HttpServerTest, TruncateClosesCleanlyAfterHalfTheBody) {
  TestHttpServer server([](const HttpRequest&) {
    return WithMode(HttpReply::Text(200, std::string(1000, 't')), HttpReply::Mode::kTruncate);
  });
  RawClient client(server);
  client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(client.ReadAll(), asio::error::eof);
  auto r = TakeResponse(client.received());
  ASSERT_TRUE(r);
  EXPECT_NE(r->head.find("content-length: 1000"), std::string::npos);
  EXPECT_EQ(r->body, std::string(500, 't'));
  EXPECT_FALSE(r->complete);
}

TEST(HttpServerTest, EndlessBodyKeepsComing) {
  TestHttpServer server([](const HttpRequest&) {
    return WithMode(HttpReply(), HttpReply::Mode::kEndless);
  });
  RawClient client(server);
  client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  constexpr size_t kWant = 4 << 20;
  EXPECT_FALSE(client.ReadUntil([](const std::string& d) { return d.size() >= kWant; },
                                std::chrono::seconds(20)));
  ASSERT_GE(client.received().size(), kWant);
  std::string head = client.received().substr(0, client.received().find("\r\n\r\n"));
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  // Destroying the server now (client still reading nothing) must not hang.
}

TEST(HttpServerTest, NoResponseAnswersNothingUntilStopped) {
  std::optional<TestHttpServer> server;
  server.emplace([](const HttpRequest&) { return WithMode(HttpReply(), HttpReply::Mode::kNoResponse); });
  RawClient client(*server);
  client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(client.ReadAll(std::chrono::milliseconds(200)), asio::error::timed_out);
  EXPECT_TRUE(client.received().empty());
  EXPECT_EQ(server->Requests().size(), 1u);
  server.reset();  // closes the connection
  error_code ec = client.ReadAll();
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_TRUE(client.received().empty());
}

TEST(HttpServerTest, StopsWithManyStalledConnectionsOpen) {
  std::optional<TestHttpServer> server;
  server.emplace([](const HttpRequest& r) {
    if (r.target == "/delay") {
      HttpReply reply = HttpReply::Text(200, "never");
      reply.delay_ms = 60'000;
      return reply;
    }
    return WithMode(HttpReply::Text(200, "body"), HttpReply::Mode::kStallAfterHeaders);
  });
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(std::make_unique<RawClient>(*server));
    clients.back()->Send(i % 2 ? "GET /delay HTTP/1.1\r\nHost: a\r\n\r\n"
                               : "GET /stall HTTP/1.1\r\nHost: a\r\n\r\n");
  }
  // Wait until every request was received, then stop.
  for (int i = 0; i < 1000 && server->Requests().size() < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(server->Requests().size(), 10u);
  server.reset();
  for (auto& c : clients) {
    error_code ec = c->ReadAll();
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  }
}

TEST(HttpServerTest, RequestBodyIsSkipped) {
  TestHttpServer server([](const HttpRequest& r) { return HttpReply::Text(200, r.method); });
  RawClient client(server);
  client.Send("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_FALSE(client.ReadUntil([](const std::string& d) { return HasCompleteResponses(d, 2); },
                                std::chrono::seconds(10)));
  auto first = TakeResponse(client.received());
  auto second = TakeResponse(client.received());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "POST");
  EXPECT_EQ(second->body, "GET");
  EXPECT_EQ(server.Requests().at(1).target, "/next");
}

TEST(HttpServerTest, MalformedRequestGets400) {
  TestHttpServer server([](const HttpRequest&) { return HttpReply::Text(200, "x"); });
  RawClient client(server);
  client.Send("garbage\r\n\r\n");
  client.ReadAll();
  EXPECT_EQ(client.received().rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << client.received();
  EXPECT_TRUE(server.Requests().empty());
}

}  // namespace
}  // namespace jikji::testing
