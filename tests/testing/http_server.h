// TestHttpServer: a real HTTP/1.1 server on loopback for tests, with the
// misbehaviours a crawler must survive (delays, stalls, resets, endless or
// truncated bodies, gzip bombs). Built on Boost.Asio; runs its own threads.
//
// Thread safety: all public methods may be called from any thread.
#ifndef JIKJI_TESTS_TESTING_HTTP_SERVER_H_
#define JIKJI_TESTS_TESTING_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace jikji::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;   // as sent: "/path?query"
  std::string host;     // Host header value, lower case, without port
  Headers headers;      // names lower case
  std::string peer;     // "127.0.0.1:54321"
  int64_t received_micros = 0;  // wall clock when the request line arrived
  uint64_t connection_id = 0;   // same id = same TCP connection

  std::string Header(const std::string& lower_name) const;
};

struct HttpReply {
  enum class Mode {
    kNormal,
    kStallAfterHeaders,  // send headers (with Content-Length), then nothing, keep the socket
    kResetMidBody,       // send headers and half the body, then RST the connection
    kTruncate,           // send headers and half the body, then close cleanly
    kEndless,            // chunked body that never ends (bounded by the server's stop)
    kNoResponse,         // accept the request, never answer
  };
  int status = 200;
  Headers headers;          // Content-Length is added unless Mode::kEndless
  std::string body;
  int delay_ms = 0;         // wait before sending anything
  Mode mode = Mode::kNormal;
  bool gzip = false;        // gzip-compress body, add Content-Encoding: gzip

  static HttpReply Text(int status, std::string body,
                        std::string content_type = "text/html; charset=utf-8");
  static HttpReply Redirect(int status, std::string location);
};

using Handler = std::function<HttpReply(const HttpRequest&)>;

class TestHttpServer {
 public:
  // Binds `address` on an ephemeral port and starts serving. Aborts the test
  // process if it cannot bind (a test environment problem, not a result).
  explicit TestHttpServer(Handler handler, std::string address = "127.0.0.1");
  ~TestHttpServer();  // stops: closes every connection, joins the threads
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const;
  const std::string& address() const;
  // "http://ADDR:PORT"
  std::string BaseUrl() const;
  // Every request received so far, in arrival order.
  std::vector<HttpRequest> Requests() const;
  void ClearRequests();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// gzip-compresses `data` (for building bomb and encoding fixtures).
std::string GzipCompress(const std::string& data);
// zlib's deflate with its windowBits: 15 + 16 gzip, 15 zlib, -15 raw.
std::string DeflateCompress(const std::string& data, int window_bits, int level);

}  // namespace jikji::testing

#endif  // JIKJI_TESTS_TESTING_HTTP_SERVER_H_
