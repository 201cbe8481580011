// AdminServer: the daemon's small HTTP/1.1 admin endpoint (Boost.Beast,
// asynchronous, on one io_context thread of its own).
//
//   GET /healthz  200 "ok" while the process runs (never needs the token)
//   GET /readyz   200 "ready" when options.ready() says so, else 503
//                 (never needs the token; no callback = always ready)
//   GET /metrics  options.metrics->Render(), text/plain; version=0.0.4
//   GET /status   options.status() as JSON (application/json)
//
// Other paths: 404; other methods: 405 (with Allow: GET). With a bearer
// token set, every path but /healthz and /readyz needs
// "Authorization: Bearer TOKEN" (401 otherwise; compared in constant time).
// A callback that throws gives 500. The query string is ignored.
//
// Bounds: a request's header and body are capped (431 / 413, then close);
// each request must arrive, and each response be taken, within
// request_timeout (else the connection is closed); at most max_connections
// are open at once (connections over the cap are closed at accept).
//
// Thread safety: Start/Stop/port may be called from any thread. The
// callbacks and metrics->Render() run on the server's thread: they must be
// thread-safe with respect to the rest of the program and must not block
// for long (a scrape waits for them).
#ifndef JIKJI_OPS_ADMIN_SERVER_H_
#define JIKJI_OPS_ADMIN_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace jikji::ops {

class MetricsRegistry;

inline constexpr std::string_view kDefaultAdminListen = "127.0.0.1:9310";

struct AdminServerOptions {
  // "ADDR:PORT": "127.0.0.1:9310", "0.0.0.0:9310", "[::1]:9310";
  // "localhost" is accepted for 127.0.0.1. Port 0 picks a free port
  // (read it back with port()).
  std::string listen = std::string(kDefaultAdminListen);
  // Empty: no authentication.
  std::string bearer_token;
  // Must outlive the server. Null: /metrics serves an empty exposition.
  const MetricsRegistry* metrics = nullptr;
  // Null: always ready.
  std::function<bool()> ready;
  // Null: /status serves {}.
  std::function<nlohmann::json()> status;

  size_t max_connections = 32;
  size_t header_limit_bytes = 8 * 1024;
  size_t body_limit_bytes = 4 * 1024;
  std::chrono::milliseconds request_timeout{10'000};
};

// Splits "ADDR:PORT" (IPv6 in brackets). InvalidArgument when malformed.
Status ParseListenAddress(const std::string& listen, std::string* host, uint16_t* port);

class AdminServer {
 public:
  // Binds, listens and starts the server's thread. InvalidArgument for a
  // malformed listen address; Unavailable when the address cannot be bound
  // (in use, not local).
  static Result<std::unique_ptr<AdminServer>> Start(AdminServerOptions options);

  // Stops (as Stop()).
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // The bound port (the chosen one when the options said 0).
  uint16_t port() const;

  // Closes the listener and every open connection, then joins the thread.
  // Responses being written are cut. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a bearer token from a file (--admin-token-file): the whole file
// with surrounding whitespace trimmed. Errors: NotFound / IOError when it
// cannot be read; InvalidArgument when it is empty, longer than
// kMaxAdminTokenBytes, or holds whitespace or control characters inside.
inline constexpr size_t kMaxAdminTokenBytes = 4096;
Result<std::string> ReadAdminToken(const std::string& path);

// Constant-time string equality (time depends on the lengths only).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace jikji::ops

#endif  // JIKJI_OPS_ADMIN_SERVER_H_
