// TestHttpServer: plain Boost.Asio, no Beast, so that every misbehaviour
// (stall, reset, truncation, endless body) is a few explicit socket calls.
//
// Structure: a Server owns the io_context, the acceptor and two threads.
// Each accepted connection is a Session bound to its own strand; every
// handler of one session runs on that strand, so a session needs no lock.
// Sessions are kept alive by the handlers in flight (shared_from_this) and
// registered by id in the Server so that Stop() can close them all.
//
// Stop order matters: stop the io_context, join the threads, close every
// socket directly (no thread runs handlers any more), then destroy the
// io_context, which destroys the pending handlers and with them the
// sessions, while the Server (their registry) is still alive.
#include "tests/testing/http_server.h"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace jikji::testing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Request line plus headers; a larger request gets the connection closed.
constexpr size_t kMaxRequestHeaderBytes = 64 * 1024;
// Request bodies (rare in tests) beyond this close the connection.
constexpr size_t kMaxRequestBodyBytes = 16 << 20;
// An endless body ends anyway after this many bytes.
constexpr uint64_t kMaxEndlessBytes = uint64_t{1} << 30;
// Payload bytes per chunk of an endless body.
constexpr size_t kEndlessChunkBytes = 16 * 1024;
constexpr int kServerThreads = 2;
// Pause before accepting again after a failed accept (e.g. EMFILE).
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(10);

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

const char* Reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

// "Example.COM:8080" -> "example.com"; "[::1]:80" -> "[::1]".
std::string HostWithoutPort(std::string_view value) {
  value = Trim(value);
  if (!value.empty() && value.front() == '[') {
    size_t close = value.find(']');
    if (close != std::string_view::npos) return Lower(value.substr(0, close + 1));
    return Lower(value);
  }
  return Lower(value.substr(0, value.find(':')));
}

class Server;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server* server, tcp::socket socket, uint64_t id)
      : server_(server), socket_(std::move(socket)), timer_(socket_.get_executor()), id_(id) {}
  ~Session();

  void Start() {
    error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) peer_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    socket_.set_option(tcp::no_delay(true), ec);
    ReadRequest();
  }

  // Only when no thread runs the io_context (server stop).
  void ForceClose() {
    error_code ec;
    timer_.cancel();
    socket_.close(ec);
  }

 private:
  void ReadRequest();
  void OnHeaders(error_code ec, size_t n);
  void HandleRequest();
  void SendReply();
  void WriteThenFinish(std::string data);
  void OnNormalWritten(error_code ec);
  void WriteEndlessChunk();
  void Drain();                 // read and discard until the peer closes
  void CloseGracefully();       // FIN after the peer's bytes are drained
  void Reset();                 // RST

  Server* server_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  uint64_t id_;
  std::string peer_;
  std::string in_;              // bytes read, not yet consumed
  HttpRequest request_;
  HttpReply reply_;
  bool keep_alive_ = true;
  std::string out_;             // bytes being written
  std::string endless_chunk_;
  uint64_t endless_sent_ = 0;
  char scratch_[4096];
};

class Server {
 public:
  Server(Handler handler, std::string address)
      : handler_(std::move(handler)), address_(std::move(address)) {
    io_ = std::make_unique<asio::io_context>();
    work_.emplace(io_->get_executor());
    error_code ec;
    auto addr = asio::ip::make_address(address_, ec);
    if (ec) Die("bad address " + address_ + ": " + ec.message());
    acceptor_.emplace(*io_);
    accept_retry_.emplace(*io_);
    tcp::endpoint ep(addr, 0);
    acceptor_->open(ep.protocol(), ec);
    if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_->bind(ep, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) Die("cannot listen on " + address_ + ": " + ec.message());
    port_ = acceptor_->local_endpoint().port();
    Accept();
    for (int i = 0; i < kServerThreads; ++i) {
      threads_.emplace_back([this] { io_->run(); });
    }
  }

  ~Server() {
    stopping_ = true;
    work_.reset();
    io_->stop();
    for (auto& t : threads_) t.join();
    error_code ec;
    acceptor_->close(ec);
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      for (auto& [id, weak] : sessions_) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->ForceClose();
    live.clear();  // before the io_context goes: sockets must not outlive it
    acceptor_.reset();
    accept_retry_.reset();
    io_.reset();  // destroys pending handlers and so the sessions
  }

  int port() const { return port_; }
  const std::string& address() const { return address_; }
  bool stopping() const { return stopping_.load(); }

  HttpReply Handle(const HttpRequest& request) {
    {
      std::lock_guard<std::mutex> lock(requests_mu_);
      requests_.push_back(request);
    }
    return handler_(request);
  }

  std::vector<HttpRequest> Requests() const {
    std::lock_guard<std::mutex> lock(requests_mu_);
    return requests_;
  }
  void ClearRequests() {
    std::lock_guard<std::mutex> lock(requests_mu_);
    requests_.clear();
  }

  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_.erase(id);
  }

 private:
  [[noreturn]] static void Die(const std::string& why) {
    std::fprintf(stderr, "TestHttpServer: %s\n", why.c_str());
    std::fflush(stderr);
    std::abort();
  }

  void Accept() {
    acceptor_->async_accept(asio::make_strand(*io_), [this](error_code ec, tcp::socket socket) {
      if (stopping_) return;
      if (!ec) {
        uint64_t id = next_connection_id_.fetch_add(1);
        auto strand = socket.get_executor();  // the session's strand
        auto session = std::make_shared<Session>(this, std::move(socket), id);
        {
          std::lock_guard<std::mutex> lock(sessions_mu_);
          sessions_[id] = session;
        }
        asio::post(strand, [session] { session->Start(); });
      } else if (ec == asio::error::operation_aborted) {
        return;
      } else {
        // Transient accept errors (EMFILE...): retry after a pause rather
        // than spinning.
        accept_retry_->expires_after(kAcceptRetryDelay);
        accept_retry_->async_wait([this](error_code wait_ec) {
          if (!wait_ec && !stopping_) Accept();
        });
        return;
      }
      Accept();
    });
  }

  Handler handler_;
  std::string address_;
  int port_ = 0;
  std::unique_ptr<asio::io_context> io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::steady_timer> accept_retry_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> next_connection_id_{1};

  mutable std::mutex requests_mu_;
  std::vector<HttpRequest> requests_;  // guarded by requests_mu_

  std::mutex sessions_mu_;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions_;  // guarded by sessions_mu_
};

Session::~Session() { server_->Unregister(id_); }

void Session::ReadRequest() {
  if (server_->stopping()) return;
  asio::async_read_until(socket_, asio::dynamic_buffer(in_, kMaxRequestHeaderBytes), "\r\n\r\n",
                         [self = shared_from_this()](error_code ec, size_t n) {
                           self->OnHeaders(ec, n);
                         });
}

void Session::OnHeaders(error_code ec, size_t n) {
  if (ec) {
    // EOF, reset, or a header block over kMaxRequestHeaderBytes.
    error_code ignored;
    socket_.close(ignored);
    return;
  }
  std::string_view block(in_.data(), n);
  request_ = HttpRequest();
  request_.received_micros = WallMicros();
  request_.connection_id = id_;
  request_.peer = peer_;

  size_t line_end = block.find("\r\n");
  std::string_view line = block.substr(0, line_end);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) {
    out_ = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    keep_alive_ = false;
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](error_code, size_t) { self->CloseGracefully(); });
    return;
  }
  request_.method = std::string(line.substr(0, sp1));
  request_.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  std::string_view version = line.substr(sp2 + 1);

  size_t content_length = 0;
  keep_alive_ = version != "HTTP/1.0";
  size_t pos = line_end + 2;
  while (pos < block.size()) {
    size_t end = block.find("\r\n", pos);
    if (end == std::string_view::npos || end == pos) break;
    std::string_view header = block.substr(pos, end - pos);
    pos = end + 2;
    size_t colon = header.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = Lower(Trim(header.substr(0, colon)));
    std::string value(Trim(header.substr(colon + 1)));
    if (name == "host") request_.host = HostWithoutPort(value);
    if (name == "content-length") content_length = std::strtoull(value.c_str(), nullptr, 10);
    if (name == "connection") {
      if (EqualsIgnoreCase(value, "close")) keep_alive_ = false;
      if (EqualsIgnoreCase(value, "keep-alive")) keep_alive_ = true;
    }
    request_.headers.emplace_back(std::move(name), std::move(value));
  }
  in_.erase(0, n);

  if (content_length > kMaxRequestBodyBytes) {
    error_code ignored;
    socket_.close(ignored);
    return;
  }
  if (in_.size() >= content_length) {
    in_.erase(0, content_length);  // request bodies are not kept
    HandleRequest();
    return;
  }
  size_t missing = content_length - in_.size();
  in_.clear();
  out_.assign(missing, '\0');  // scratch space for the body
  asio::async_read(socket_, asio::buffer(out_), [self = shared_from_this()](error_code ec, size_t) {
    if (ec) {
      error_code ignored;
      self->socket_.close(ignored);
      return;
    }
    self->HandleRequest();
  });
}

void Session::HandleRequest() {
  reply_ = server_->Handle(request_);
  if (reply_.delay_ms > 0) {
    timer_.expires_after(std::chrono::milliseconds(reply_.delay_ms));
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec) return;  // cancelled: the server is stopping
      self->SendReply();
    });
    return;
  }
  SendReply();
}

void Session::SendReply() {
  using Mode = HttpReply::Mode;
  if (reply_.mode == Mode::kNoResponse) {
    Drain();
    return;
  }
  const bool head = request_.method == "HEAD";
  const bool bodyless_status =
      (reply_.status >= 100 && reply_.status < 200) || reply_.status == 204 || reply_.status == 304;
  std::string body = std::move(reply_.body);
  if (reply_.gzip) body = GzipCompress(body);
  if (reply_.mode == Mode::kTruncate || reply_.mode == Mode::kResetMidBody) keep_alive_ = false;

  std::string head_block = "HTTP/1.1 " + std::to_string(reply_.status) + " " +
                           Reason(reply_.status) + "\r\n";
  bool has_length = false;
  for (const auto& [name, value] : reply_.headers) {
    if (EqualsIgnoreCase(name, "content-length")) has_length = true;
    head_block += name + ": " + value + "\r\n";
  }
  if (reply_.gzip) head_block += "Content-Encoding: gzip\r\n";
  if (reply_.mode == Mode::kEndless) {
    head_block += "Transfer-Encoding: chunked\r\n";
  } else if (!has_length && !bodyless_status) {
    head_block += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  if (!keep_alive_) head_block += "Connection: close\r\n";
  head_block += "\r\n";

  if (head || bodyless_status) body.clear();

  switch (reply_.mode) {
    case Mode::kNormal:
      out_ = std::move(head_block) + body;
      asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](error_code ec, size_t) {
        self->OnNormalWritten(ec);
      });
      return;
    case Mode::kStallAfterHeaders:
      out_ = std::move(head_block);
      asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](error_code ec, size_t) {
        if (ec) {
          error_code ignored;
          self->socket_.close(ignored);
          return;
        }
        self->Drain();
      });
      return;
    case Mode::kTruncate:
    case Mode::kResetMidBody: {
      const bool reset = reply_.mode == Mode::kResetMidBody;
      out_ = std::move(head_block) + body.substr(0, body.size() / 2);
      asio::async_write(socket_, asio::buffer(out_),
                        [self = shared_from_this(), reset](error_code ec, size_t) {
                          if (ec) {
                            error_code ignored;
                            self->socket_.close(ignored);
                            return;
                          }
                          if (reset) {
                            self->Reset();
                          } else {
                            self->CloseGracefully();
                          }
                        });
      return;
    }
    case Mode::kEndless: {
      std::string payload = body.empty() ? std::string(kEndlessChunkBytes, 'x') : body;
      if (payload.size() > kEndlessChunkBytes) payload.resize(kEndlessChunkBytes);
      char size_hex[32];
      std::snprintf(size_hex, sizeof(size_hex), "%zx\r\n", payload.size());
      endless_chunk_ = size_hex + payload + "\r\n";
      out_ = std::move(head_block);
      asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](error_code ec, size_t) {
        if (ec) {
          error_code ignored;
          self->socket_.close(ignored);
          return;
        }
        self->WriteEndlessChunk();
      });
      return;
    }
    case Mode::kNoResponse:
      break;  // handled above
  }
}

void Session::OnNormalWritten(error_code ec) {
  if (ec) {
    error_code ignored;
    socket_.close(ignored);
    return;
  }
  if (!keep_alive_) {
    CloseGracefully();
    return;
  }
  // Pipelined bytes may already wait in in_; read_until looks there first.
  ReadRequest();
}

void Session::WriteEndlessChunk() {
  if (server_->stopping()) return;
  if (endless_sent_ >= kMaxEndlessBytes) {
    out_ = "0\r\n\r\n";
    keep_alive_ = false;
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](error_code, size_t) {
      self->CloseGracefully();
    });
    return;
  }
  asio::async_write(socket_, asio::buffer(endless_chunk_),
                    [self = shared_from_this()](error_code ec, size_t n) {
                      if (ec) {  // the client gave up
                        error_code ignored;
                        self->socket_.close(ignored);
                        return;
                      }
                      self->endless_sent_ += n;
                      self->WriteEndlessChunk();
                    });
}

void Session::Drain() {
  socket_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](error_code ec, size_t) {
    if (ec) {
      error_code ignored;
      self->socket_.close(ignored);
      return;
    }
    self->Drain();
  });
}

void Session::CloseGracefully() {
  // Half-close, then read until the peer closes: closing with unread bytes
  // in the receive queue would make the kernel send RST instead of FIN.
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  Drain();
}

void Session::Reset() {
  error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

}  // namespace

std::string HttpRequest::Header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (EqualsIgnoreCase(name, lower_name)) return value;
  }
  return "";
}

HttpReply HttpReply::Text(int status, std::string body, std::string content_type) {
  HttpReply reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.headers.emplace_back("Content-Type", std::move(content_type));
  return reply;
}

HttpReply HttpReply::Redirect(int status, std::string location) {
  HttpReply reply;
  reply.status = status;
  reply.headers.emplace_back("Location", std::move(location));
  reply.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  reply.body = "<a href=\"moved\">moved</a>";
  return reply;
}

struct TestHttpServer::Impl {
  std::unique_ptr<Server> server;
};

TestHttpServer::TestHttpServer(Handler handler, std::string address)
    : impl_(std::make_unique<Impl>()) {
  impl_->server = std::make_unique<Server>(std::move(handler), std::move(address));
}

TestHttpServer::~TestHttpServer() = default;

int TestHttpServer::port() const { return impl_->server->port(); }
const std::string& TestHttpServer::address() const { return impl_->server->address(); }

std::string TestHttpServer::BaseUrl() const {
  const std::string& addr = address();
  bool v6 = addr.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + addr + "]" : addr) + ":" + std::to_string(port());
}

std::vector<HttpRequest> TestHttpServer::Requests() const { return impl_->server->Requests(); }
void TestHttpServer::ClearRequests() { impl_->server->ClearRequests(); }

std::string GzipCompress(const std::string& data) {
  // 15 window bits + 16: a gzip wrapper rather than zlib's.
  return DeflateCompress(data, 15 + 16, Z_BEST_COMPRESSION);
}

std::string DeflateCompress(const std::string& data, int window_bits, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    std::fprintf(stderr, "DeflateCompress: deflateInit2 failed\n");
    std::abort();
  }
  // Fed in slices: z_stream counts in 32-bit uInt.
  constexpr size_t kSlice = size_t{1} << 30;
  std::string out;
  char buf[64 * 1024];
  size_t offset = 0;
  int rc = Z_OK;
  do {
    size_t slice = std::min(kSlice, data.size() - offset);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + offset));
    zs.avail_in = static_cast<uInt>(slice);
    offset += slice;
    const int flush = offset == data.size() ? Z_FINISH : Z_NO_FLUSH;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof(buf);
      rc = deflate(&zs, flush);
      if (rc == Z_STREAM_ERROR) {
        std::fprintf(stderr, "DeflateCompress: deflate failed\n");
        std::abort();
      }
      out.append(buf, sizeof(buf) - zs.avail_out);
    } while (zs.avail_out == 0);
  } while (offset < data.size());
  deflateEnd(&zs);
  return out;
}

}  // namespace jikji::testing
