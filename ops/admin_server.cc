#include "ops/admin_server.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "ops/metrics.h"

namespace jikji::ops {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Walk the longer length; fold the length difference in so that a prefix
  // does not compare equal.
  size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

Result<std::string> ReadAdminToken(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Status::NotFound("admin token file " + path + " does not exist");
    return Status::IOError("cannot read admin token file " + path);
  }
  std::string data(kMaxAdminTokenBytes + 2, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Status::IOError("cannot read admin token file " + path);
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t b = 0, e = data.size();
  while (b < e && is_space(data[b])) ++b;
  while (e > b && is_space(data[e - 1])) --e;
  std::string token = data.substr(b, e - b);
  if (token.empty()) return Status::InvalidArgument("admin token file " + path + " is empty");
  if (token.size() > kMaxAdminTokenBytes) {
    return Status::InvalidArgument("admin token in " + path + " is longer than " +
                                   std::to_string(kMaxAdminTokenBytes) + " bytes");
  }
  for (char c : token) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Status::InvalidArgument("admin token in " + path + " holds whitespace or control characters");
    }
  }
  return token;
}

Status ParseListenAddress(const std::string& listen, std::string* host, uint16_t* port) {
  std::string h;
  std::string p;
  if (!listen.empty() && listen[0] == '[') {
    size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return Status::InvalidArgument("listen address '" + listen + "' is not [ADDR]:PORT");
    }
    h = listen.substr(1, close - 1);
    p = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos || listen.find(':') != colon) {
      return Status::InvalidArgument("listen address '" + listen + "' is not ADDR:PORT");
    }
    h = listen.substr(0, colon);
    p = listen.substr(colon + 1);
  }
  if (h.empty()) return Status::InvalidArgument("listen address '" + listen + "' has no address");
  if (h == "localhost") h = "127.0.0.1";
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(p) > 65535) {
    return Status::InvalidArgument("listen address '" + listen + "' has a bad port");
  }
  boost::system::error_code ec;
  asio::ip::make_address(h, ec);
  if (ec) return Status::InvalidArgument("listen address '" + listen + "': '" + h + "' is not an IP address");
  *host = h;
  *port = static_cast<uint16_t>(std::stoul(p));
  return Status::Ok();
}

class Session;

class AdminServer::Impl {
 public:
  explicit Impl(AdminServerOptions options) : options_(std::move(options)), acceptor_(ioc_) {}

  Status Listen(const std::string& host, uint16_t port) {
    boost::system::error_code ec;
    tcp::endpoint ep(asio::ip::make_address(host, ec), port);
    if (ec) return Status::InvalidArgument("bad address " + host);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::Unavailable("admin server cannot listen on " + options_.listen + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    return Status::Ok();
  }

  void Run() {
    DoAccept();
    thread_ = std::thread([this] { ioc_.run(); });
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(stop_mu_);
    if (!thread_.joinable()) return;
    asio::post(ioc_, [this] { CloseAll(); });
    thread_.join();
  }

  uint16_t port() const { return port_; }
  const AdminServerOptions& options() const { return options_; }

  // Called on the io thread only.
  void Register(Session* s) { sessions_.insert(s); }
  void Unregister(Session* s) { sessions_.erase(s); }

  http::response<http::string_body> Handle(const http::request<http::string_body>& req);

 private:
  void DoAccept();
  void CloseAll();

  const AdminServerOptions options_;
  uint16_t port_ = 0;
  std::mutex stop_mu_;
  // Touched only on the io thread (and in ~Impl after it is joined).
  // Declared before ioc_ so it outlives the handlers ioc_ destroys.
  std::unordered_set<Session*> sessions_;
  bool stopping_ = false;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

// One connection: read a request, answer, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, AdminServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    server_->Register(this);
  }
  ~Session() { server_->Unregister(this); }

  void Start() { DoRead(); }
  void Close() {
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options().header_limit_bytes));
    parser_->body_limit(server_->options().body_limit_bytes);
    stream_.expires_after(server_->options().request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Close();
    }
    if (ec) {
      http::status code = http::status::bad_request;
      if (ec == http::error::header_limit) code = http::status::request_header_fields_too_large;
      if (ec == http::error::body_limit) code = http::status::payload_too_large;
      auto res = std::make_shared<http::response<http::string_body>>(code, 11);
      res->set(http::field::content_type, "text/plain; charset=utf-8");
      res->body() = std::string(http::obsolete_reason(code)) + "\n";
      res->keep_alive(false);
      res->prepare_payload();
      return Write(std::move(res));
    }
    auto req = parser_->release();
    auto res = std::make_shared<http::response<http::string_body>>(server_->Handle(req));
    res->keep_alive(req.keep_alive());
    res->prepare_payload();
    Write(std::move(res));
  }

  void Write(std::shared_ptr<http::response<http::string_body>> res) {
    stream_.expires_after(server_->options().request_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !res->keep_alive()) return self->Close();
                        self->DoRead();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  AdminServer::Impl* server_;
};

void AdminServer::Impl::DoAccept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping_) return;
    if (!ec) {
      if (sessions_.size() >= options_.max_connections) {
        // Over the cap: refuse by closing at once (no bytes are read).
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), this)->Start();
      }
    }
    DoAccept();
  });
}

void AdminServer::Impl::CloseAll() {
  stopping_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  // Close() makes each session's pending operation complete with an error;
  // the session then drops its last reference. Copy: Unregister may run
  // later, but not during this loop (no handler runs inside Close()).
  std::vector<Session*> open(sessions_.begin(), sessions_.end());
  for (Session* s : open) s->Close();
}

namespace {

http::response<http::string_body> TextResponse(http::status code, unsigned version, std::string body) {
  http::response<http::string_body> res(code, version);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

bool HasBearer(const http::request<http::string_body>& req, const std::string& token) {
  auto it = req.find(http::field::authorization);
  if (it == req.end()) return false;
  std::string_view value(it->value().data(), it->value().size());
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return false;
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return ConstantTimeEquals(value, token);
}

}  // namespace

http::response<http::string_body> AdminServer::Impl::Handle(const http::request<http::string_body>& req) {
  std::string_view target(req.target().data(), req.target().size());
  std::string_view path = target.substr(0, target.find('?'));
  const unsigned v = req.version();
  const bool open_path = path == "/healthz" || path == "/readyz";
  if (!open_path && !options_.bearer_token.empty() && !HasBearer(req, options_.bearer_token)) {
    auto res = TextResponse(http::status::unauthorized, v, "unauthorized\n");
    res.set(http::field::www_authenticate, "Bearer realm=\"jikji\"");
    return res;
  }
  const bool known = open_path || path == "/metrics" || path == "/status";
  if (!known) return TextResponse(http::status::not_found, v, "not found\n");
  if (req.method() != http::verb::get) {
    auto res = TextResponse(http::status::method_not_allowed, v, "method not allowed\n");
    res.set(http::field::allow, "GET");
    return res;
  }
  try {
    if (path == "/healthz") return TextResponse(http::status::ok, v, "ok\n");
    if (path == "/readyz") {
      bool ready = !options_.ready || options_.ready();
      return ready ? TextResponse(http::status::ok, v, "ready\n")
                   : TextResponse(http::status::service_unavailable, v, "not ready\n");
    }
    if (path == "/metrics") {
      auto res = TextResponse(http::status::ok, v, options_.metrics ? options_.metrics->Render() : "");
      res.set(http::field::content_type, std::string(kPrometheusContentType));
      return res;
    }
    // /status
    nlohmann::json body = options_.status ? options_.status() : nlohmann::json::object();
    auto res = TextResponse(http::status::ok, v, body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    res.set(http::field::content_type, "application/json");
    return res;
  } catch (const std::exception& e) {
    spdlog::warn("admin server: {} failed: {}", path, e.what());
    return TextResponse(http::status::internal_server_error, v, "internal error\n");
  }
}

// ---- AdminServer

Result<std::unique_ptr<AdminServer>> AdminServer::Start(AdminServerOptions options) {
  std::string host;
  uint16_t port = 0;
  if (Status s = ParseListenAddress(options.listen, &host, &port); !s.ok()) return s;
  if (options.max_connections == 0) return Status::InvalidArgument("admin server max_connections must be > 0");
  auto impl = std::make_unique<Impl>(std::move(options));
  if (Status s = impl->Listen(host, port); !s.ok()) return s;
  impl->Run();
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() { Stop(); }

uint16_t AdminServer::port() const { return impl_->port(); }

void AdminServer::Stop() { impl_->Stop(); }

}  // namespace jikji::ops
