// CurlFetcher: libcurl's multi interface driven by a Boost.Asio io_context.
//
// How the pieces meet (see libcurl's multi-event.c and asiohiper.cpp):
//  - CURLMOPT_SOCKETFUNCTION tells us which sockets curl wants watched and
//    for what. Each socket gets a SocketState holding an asio
//    stream_descriptor assigned to curl's fd; we arm async_wait(read/write)
//    as curl asks and call curl_multi_socket_action() on readiness. When
//    curl is done with a socket (CURL_POLL_REMOVE, or its close callback)
//    the descriptor is release()d, never closed: the fd is curl's.
//  - CURLMOPT_TIMERFUNCTION sets one steady_timer; on expiry we call
//    curl_multi_socket_action(CURL_SOCKET_TIMEOUT).
//  - After every action, curl_multi_info_read() yields finished transfers.
//    A 3xx with Location is followed here (not by curl) so that every hop
//    is recorded and loops are caught; otherwise the response is built and
//    the caller's callback is posted to the io_context.
//
// Lifetime: every asio handler holds a weak_ptr to `alive_` (or checks its
// SocketState's `removed` flag) before touching the fetcher, so handlers
// that run after the fetcher is gone do nothing. Callbacks are posted the
// same way: none runs after destruction.
//
// Content-Encoding is undone here, not by curl (internal/content_decoding.h:
// libdeflate on the whole body is about twice as fast as curl's streaming
// zlib).
//
// Bounds: the body is capped in WriteBody() as it arrives (encoded) and
// again as it is decoded (a gzip bomb stops at max_body_bytes), the response header
// block at kMaxHeaderBytes, idle easy handles kept for reuse at
// kMaxIdleEasyHandles.
#include "crawler/fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "common/ascii.h"
#include "crawler/internal/content_decoding.h"
#include "url/url.h"

namespace jikji::crawler {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// Total bytes of one response's header block (status line included).
constexpr size_t kMaxHeaderBytes = 256 * 1024;
// Easy handles kept after use to skip re-allocation.
constexpr size_t kMaxIdleEasyHandles = 256;

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}


std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsRedirectStatus(long code) {
  return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

// curl_global_init is not thread-safe before 7.84; do it once.
void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool ValidAddress(std::string_view addr) {
  if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') {
    addr = addr.substr(1, addr.size() - 2);
  }
  if (addr.empty() || addr.size() > 63) return false;
  std::string a(addr);
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, a.c_str(), buf) == 1 || inet_pton(AF_INET6, a.c_str(), buf) == 1;
}

// "HOST:PORT:ADDR[,ADDR...]" as curl --resolve takes it.
Status ValidateResolveEntry(const std::string& entry) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("resolve entry \"" + entry + "\": " + why +
                                   " (want HOST:PORT:ADDR)");
  };
  size_t c1 = entry.find(':');
  if (c1 == std::string::npos || c1 == 0) return bad("missing host");
  size_t c2 = entry.find(':', c1 + 1);
  if (c2 == std::string::npos) return bad("missing address");
  std::string_view port = std::string_view(entry).substr(c1 + 1, c2 - c1 - 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("bad port");
  }
  int port_number = std::stoi(std::string(port));
  if (port_number < 1 || port_number > 65535) return bad("port out of range");
  std::string_view addrs = std::string_view(entry).substr(c2 + 1);
  if (addrs.empty()) return bad("missing address");
  while (true) {
    size_t comma = addrs.find(',');
    if (!ValidAddress(addrs.substr(0, comma))) return bad("bad address");
    if (comma == std::string_view::npos) break;
    addrs.remove_prefix(comma + 1);
  }
  return Status::Ok();
}

Status MapCurlError(CURLcode code, const char* detail) {
  std::string msg = curl_easy_strerror(code);
  if (detail && *detail) msg = std::string(Trim(detail));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status::DeadlineExceeded(msg);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_PROXY:
    case CURLE_AGAIN:
      return Status::Unavailable(msg);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(msg);
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_TOO_MANY_REDIRECTS:
      return Status::ResourceExhausted(msg);
    case CURLE_BAD_CONTENT_ENCODING:
      return Status::DataLoss(msg);
    // A response that breaks HTTP (e.g. "Content-Length: -5") breaks it
    // again when asked again: not worth a retry.
    case CURLE_WEIRD_SERVER_REPLY:
      return Status::DataLoss("malformed response: " + msg);
    // libcurl 7.88 also ends a transfer with this when one response header
    // line is longer than CURL_MAX_HTTP_HEADER (100 KB).
    case CURLE_OUT_OF_MEMORY:
      return Status::ResourceExhausted(msg + " (or a response header line over 100 KB)");
    case CURLE_ABORTED_BY_CALLBACK:
      return Status::Cancelled(msg);
    default:
      return Status::Internal(msg);
  }
}

std::string HttpVersionName(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0: return "1.0";
    case CURL_HTTP_VERSION_1_1: return "1.1";
    case CURL_HTTP_VERSION_2_0: return "2";
#ifdef CURL_HTTP_VERSION_3
    case CURL_HTTP_VERSION_3: return "3";
#endif
    default: return "";
  }
}

// The URL string handed to curl and compared for loops: WHATWG
// serialization without the fragment (never sent on the wire).
std::string WireUrl(url::Url u) {
  u.fragment.clear();
  u.has_fragment = false;
  return u.Serialize();
}

class CurlFetcher;

// One socket curl asked us to watch. Shared with the asio handlers waiting
// on it; `removed` tells them curl (or the fetcher) let go of it.
struct SocketState {
  SocketState(asio::io_context& io, curl_socket_t s) : fd(s), descriptor(io) {}
  curl_socket_t fd;
  asio::posix::stream_descriptor descriptor;
  int want = 0;  // CURL_POLL_IN / OUT / INOUT
  bool read_pending = false;
  bool write_pending = false;
  bool removed = false;
};

// One Fetch(): the easy handle plus everything gathered across its hops.
struct Transfer {
  CURL* easy = nullptr;
  CurlFetcher* fetcher = nullptr;
  Fetcher::Callback done;
  FetchRequest request;
  FetchResponse response;
  std::string current_url;                 // this hop's URL
  std::unordered_set<std::string> seen;    // every URL requested so far
  curl_slist* header_list = nullptr;
  int64_t start_monotonic = 0;
  // Per hop.
  HeaderList hop_headers;
  std::string hop_body;
  size_t header_bytes = 0;
  bool body_cap_hit = false;
  bool header_cap_hit = false;
  char error[CURL_ERROR_SIZE] = {0};
};

// Thread safety: none inside; everything (public calls, curl callbacks,
// asio handlers) runs on the one thread that runs `io_`.
class CurlFetcher final : public Fetcher {
 public:
  CurlFetcher(asio::io_context& io, FetcherOptions options)
      : io_(io), options_(std::move(options)), timer_(io) {}
  ~CurlFetcher() override;

  Status Init();
  void Fetch(FetchRequest request, Callback done) override;
  size_t InFlight() const override { return transfers_.size(); }
  void CancelAll() override;

 private:
  // curl callbacks (static trampolines).
  static int SocketCallback(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp);
  static int TimerCallback(CURLM* multi, long timeout_ms, void* userp);
  static int CloseSocketCallback(void* clientp, curl_socket_t s);
  static size_t WriteBody(char* data, size_t size, size_t n, void* userp);
  static size_t WriteHeader(char* data, size_t size, size_t n, void* userp);

  // False when asio cannot watch the socket.
  bool Watch(curl_socket_t s, int what);
  void Forget(curl_socket_t s);
  void Arm(const std::shared_ptr<SocketState>& state);
  void OnReady(const std::shared_ptr<SocketState>& state, int direction);
  void OnTimer();
  void ProcessDone();
  void FinishHop(Transfer* t, CURLcode code);
  void DecodeBody(Transfer* t, Status* status);
  bool StartHop(Transfer* t);
  void Complete(std::unique_ptr<Transfer> t);
  void PostCallback(Callback done, FetchResponse response);
  CURL* AcquireEasy();
  void ReleaseEasy(CURL* easy);

  asio::io_context& io_;
  FetcherOptions options_;
  asio::steady_timer timer_;
  bool timer_armed_ = false;  // a wait on timer_ is pending
  bool timeout_posted_ = false;  // an OnTimer() for a 0 ms timeout is posted
  CURLM* multi_ = nullptr;
  curl_slist* resolve_list_ = nullptr;
  std::unordered_map<curl_socket_t, std::shared_ptr<SocketState>> sockets_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::vector<CURL*> idle_easy_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

Status CurlFetcher::Init() {
  GlobalInitOnce();
  for (const std::string& entry : options_.resolve) {
    Status s = ValidateResolveEntry(entry);
    if (!s.ok()) return s;
    curl_slist* next = curl_slist_append(resolve_list_, entry.c_str());
    if (!next) return Status::Internal("out of memory building resolve list");
    resolve_list_ = next;
  }
  multi_ = curl_multi_init();
  if (!multi_) return Status::Internal("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlFetcher::SocketCallback);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlFetcher::TimerCallback);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, std::max(1L, options_.connection_cache));
  return Status::Ok();
}

CurlFetcher::~CurlFetcher() {
  alive_.reset();  // pending handlers and posted callbacks become no-ops
  timer_.cancel();
  for (auto& [easy, t] : transfers_) {
    curl_multi_remove_handle(multi_, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(t->header_list);
  }
  transfers_.clear();
  for (CURL* easy : idle_easy_) curl_easy_cleanup(easy);
  idle_easy_.clear();
  // Closes cached connections; the socket and close callbacks still find
  // `this` valid here.
  if (multi_) curl_multi_cleanup(multi_);
  multi_ = nullptr;
  for (auto& [fd, state] : sockets_) {
    state->removed = true;
    error_code ec;
    state->descriptor.cancel(ec);
    state->descriptor.release();
  }
  sockets_.clear();
  curl_slist_free_all(resolve_list_);
}

// ---- asio <-> curl

int CurlFetcher::SocketCallback(CURL* /*easy*/, curl_socket_t s, int what, void* userp,
                                void* /*socketp*/) {
  auto* self = static_cast<CurlFetcher*>(userp);
  if (what == CURL_POLL_REMOVE) {
    self->Forget(s);
  } else {
    if (!self->Watch(s, what)) return -1;  // curl aborts the transfers
  }
  return 0;
}

bool CurlFetcher::Watch(curl_socket_t s, int what) {
  // Looked up by fd, never through curl's socketp: a state may already be
  // gone when curl hands back its pointer.
  std::shared_ptr<SocketState> state;
  auto it = sockets_.find(s);
  if (it != sockets_.end()) {
    state = it->second;
  } else {
    state = std::make_shared<SocketState>(io_, s);
    error_code ec;
    state->descriptor.assign(s, ec);  // registers with the reactor
    if (ec) {
      spdlog::debug("cannot watch socket {}: {}", s, ec.message());
      return false;
    }
    sockets_.emplace(s, state);
  }
  state->want = what;
  Arm(state);
  return true;
}

void CurlFetcher::Forget(curl_socket_t s) {
  auto it = sockets_.find(s);
  if (it == sockets_.end()) return;
  std::shared_ptr<SocketState> state = std::move(it->second);
  sockets_.erase(it);
  state->removed = true;
  state->want = 0;
  // release() deregisters from the reactor and aborts pending waits (their
  // handlers see `removed`), and leaves the fd open for curl to close.
  error_code ec;
  state->descriptor.cancel(ec);
  state->descriptor.release();
}

int CurlFetcher::CloseSocketCallback(void* clientp, curl_socket_t s) {
  // curl normally reports CURL_POLL_REMOVE first; if not, let go before
  // the fd number can be reused.
  static_cast<CurlFetcher*>(clientp)->Forget(s);
  return ::close(s);
}

void CurlFetcher::Arm(const std::shared_ptr<SocketState>& state) {
  if (state->removed) return;
  std::weak_ptr<int> alive = alive_;
  if ((state->want & CURL_POLL_IN) && !state->read_pending) {
    state->read_pending = true;
    state->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                                 [this, alive, state](error_code ec) {
                                   state->read_pending = false;
                                   if (state->removed || alive.expired()) return;
                                   if (ec == asio::error::operation_aborted) return;
                                   OnReady(state, CURL_CSELECT_IN);
                                 });
  }
  if ((state->want & CURL_POLL_OUT) && !state->write_pending) {
    state->write_pending = true;
    state->descriptor.async_wait(asio::posix::stream_descriptor::wait_write,
                                 [this, alive, state](error_code ec) {
                                   state->write_pending = false;
                                   if (state->removed || alive.expired()) return;
                                   if (ec == asio::error::operation_aborted) return;
                                   OnReady(state, CURL_CSELECT_OUT);
                                 });
  }
}

void CurlFetcher::OnReady(const std::shared_ptr<SocketState>& state, int direction) {
  const int wanted = direction == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT;
  if (state->want & wanted) {
    int running = 0;
    curl_multi_socket_action(multi_, state->fd, direction, &running);
    ProcessDone();
  }
  // curl may have changed what it wants, or dropped the socket.
  Arm(state);
}

int CurlFetcher::TimerCallback(CURLM* /*multi*/, long timeout_ms, void* userp) {
  auto* self = static_cast<CurlFetcher*>(userp);
  // curl moves its deadline on nearly every socket event, mostly later, and
  // each move of an armed Asio timer is a timerfd_settime() system call.
  // The timer is therefore only moved earlier: when it fires before curl's
  // deadline, curl_multi_socket_action(CURL_SOCKET_TIMEOUT) finds nothing
  // due and sets the deadline again. For the same reason "no timer" (-1)
  // leaves an armed timer alone.
  if (timeout_ms < 0) return 0;
  // "At once" (curl asks it of every new transfer): a posted handler, not
  // the timer, whose every move earlier is a system call. Coalesced: one
  // curl_multi_socket_action() serves all that are due.
  if (timeout_ms == 0) {
    if (self->timeout_posted_) return 0;
    self->timeout_posted_ = true;
    std::weak_ptr<int> alive = self->alive_;
    asio::post(self->io_, [self, alive] {
      if (alive.expired()) return;
      self->timeout_posted_ = false;
      self->OnTimer();
    });
    return 0;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  if (self->timer_armed_ && self->timer_.expiry() <= deadline) return 0;
  // Never act from inside curl: the timer (or the post above) calls back later.
  self->timer_.expires_at(deadline);
  self->timer_armed_ = true;
  std::weak_ptr<int> alive = self->alive_;
  self->timer_.async_wait([self, alive](error_code ec) {
    if (ec || alive.expired()) return;  // moved earlier (a newer wait is pending), or gone
    self->timer_armed_ = false;
    self->OnTimer();
  });
  return 0;
}

void CurlFetcher::OnTimer() {
  int running = 0;
  curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  ProcessDone();
}

// ---- transfers

CURL* CurlFetcher::AcquireEasy() {
  if (!idle_easy_.empty()) {
    CURL* easy = idle_easy_.back();
    idle_easy_.pop_back();
    return easy;
  }
  return curl_easy_init();
}

void CurlFetcher::ReleaseEasy(CURL* easy) {
  if (idle_easy_.size() < kMaxIdleEasyHandles) {
    curl_easy_reset(easy);
    idle_easy_.push_back(easy);
  } else {
    curl_easy_cleanup(easy);
  }
}

void CurlFetcher::Fetch(FetchRequest request, Callback done) {
  FetchResponse failed;
  failed.tag = request.tag;
  failed.url = request.url;
  failed.started_micros = WallMicros();

  Result<url::Url> parsed = url::Parse(request.url);
  if (!parsed.ok()) {
    failed.status = Status::InvalidArgument("bad URL \"" + request.url +
                                            "\": " + parsed.status().message());
    PostCallback(std::move(done), std::move(failed));
    return;
  }
  if (!parsed->IsHttp() || parsed->host.empty()) {
    failed.status = Status::InvalidArgument("not an http(s) URL: " + request.url);
    PostCallback(std::move(done), std::move(failed));
    return;
  }
  CURL* easy = AcquireEasy();
  if (!easy) {
    failed.status = Status::ResourceExhausted("curl_easy_init failed");
    PostCallback(std::move(done), std::move(failed));
    return;
  }

  auto t = std::make_unique<Transfer>();
  t->easy = easy;
  t->fetcher = this;
  t->done = std::move(done);
  t->response = std::move(failed);
  t->start_monotonic = MonotonicMicros();
  t->current_url = WireUrl(*parsed);
  t->request = std::move(request);
  Transfer* raw = t.get();
  transfers_.emplace(easy, std::move(t));
  if (!StartHop(raw)) {
    auto node = transfers_.extract(easy);
    Complete(std::move(node.mapped()));
  }
}

// Sets up the easy handle for raw->current_url and adds it to the multi.
// On failure sets the response status and returns false.
bool CurlFetcher::StartHop(Transfer* t) {
  CURL* e = t->easy;
  t->seen.insert(t->current_url);
  t->hop_headers.clear();
  t->hop_body.clear();
  t->header_bytes = 0;
  t->body_cap_hit = false;
  t->header_cap_hit = false;
  t->error[0] = '\0';
  curl_slist_free_all(t->header_list);
  t->header_list = nullptr;

  const bool first_hop = t->response.redirect_chain.empty();
  std::vector<std::string> lines;
  // Validators belong to the requested URL; a redirect target has its own.
  if (first_hop && !t->request.if_none_match.empty()) {
    lines.push_back("If-None-Match: " + t->request.if_none_match);
  }
  if (first_hop && !t->request.if_modified_since.empty()) {
    lines.push_back("If-Modified-Since: " + t->request.if_modified_since);
  }
  for (const auto& [name, value] : t->request.extra_headers) {
    // "Name;" is curl's way to send a header with an empty value.
    lines.push_back(value.empty() ? name + ";" : name + ": " + value);
  }
  for (const std::string& line : lines) {
    curl_slist* next = curl_slist_append(t->header_list, line.c_str());
    if (!next) {
      t->response.status = Status::ResourceExhausted("out of memory building headers");
      return false;
    }
    t->header_list = next;
  }

  // Whatever is left of the total budget after earlier hops.
  int64_t spent_ms = (MonotonicMicros() - t->start_monotonic) / 1000;
  int64_t remaining_ms = std::max<int64_t>(1, options_.total_timeout_ms - spent_ms);

  curl_easy_setopt(e, CURLOPT_URL, t->current_url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->header_list);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, internal::kAcceptEncoding);
  curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);  // DecodeBody() does it
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining_ms));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options_.low_speed_bytes));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time_s));
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                   options_.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, static_cast<long>(options_.dns_cache_seconds));
  if (resolve_list_) curl_easy_setopt(e, CURLOPT_RESOLVE, resolve_list_);
  if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &CurlFetcher::WriteBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &CurlFetcher::WriteHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &CurlFetcher::CloseSocketCallback);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);

  CURLMcode mc = curl_multi_add_handle(multi_, e);
  if (mc != CURLM_OK) {
    t->response.status = Status::Internal(std::string("curl_multi_add_handle: ") +
                                          curl_multi_strerror(mc));
    return false;
  }
  spdlog::debug("fetch start {} (tag {})", t->current_url, t->request.tag);
  return true;
}

size_t CurlFetcher::WriteBody(char* data, size_t size, size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  const size_t bytes = size * n;
  const size_t cap = t->fetcher->options_.max_body_bytes;
  if (t->hop_body.size() + bytes > cap) {
    t->hop_body.append(data, cap - t->hop_body.size());
    t->body_cap_hit = true;
    return 0;  // CURLE_WRITE_ERROR: stops the transfer now
  }
  t->hop_body.append(data, bytes);
  return bytes;
}

size_t CurlFetcher::WriteHeader(char* data, size_t size, size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  const size_t bytes = size * n;
  t->header_bytes += bytes;
  if (t->header_bytes > kMaxHeaderBytes) {
    t->header_cap_hit = true;
    return 0;
  }
  std::string_view line(data, bytes);
  if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
    // A new response block (after 1xx or in a new hop): start over.
    t->hop_headers.clear();
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return bytes;  // blank line, junk
  std::string_view name = Trim(line.substr(0, colon));
  std::string_view value = Trim(line.substr(colon + 1));
  if (!name.empty()) t->hop_headers.emplace_back(AsciiLower(name), std::string(value));
  return bytes;
}

void CurlFetcher::ProcessDone() {
  // Copy first: removing handles invalidates the messages.
  std::vector<std::pair<CURL*, CURLcode>> done;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg == CURLMSG_DONE) done.emplace_back(msg->easy_handle, msg->data.result);
  }
  for (auto& [easy, code] : done) {
    if (transfers_.count(easy) == 0) continue;  // cancelled meanwhile
    curl_multi_remove_handle(multi_, easy);
    FinishHop(transfers_[easy].get(), code);
  }
}

// Undoes the response's Content-Encoding in t->hop_body. A body that
// decodes past the cap keeps its first max_body_bytes (ResourceExhausted,
// truncated); corrupt data fails the fetch (DataLoss) and keeps the encoded
// bytes. `status` is the transfer's: after an error the body is a prefix.
void CurlFetcher::DecodeBody(Transfer* t, Status* status) {
  std::string encoding;  // repeated headers make one list
  for (const auto& [name, value] : t->hop_headers) {
    if (name != "content-encoding") continue;
    if (!encoding.empty()) encoding += ", ";
    encoding += value;
  }
  if (encoding.empty() || t->hop_body.empty()) return;
  const bool complete = status->ok();
  internal::DecodeOutcome d =
      internal::DecodeContent(encoding, complete, options_.max_body_bytes, &t->hop_body);
  if (!status->ok()) return;
  if (!d.status.ok()) {
    *status = std::move(d.status);
  } else if (d.truncated) {
    t->response.truncated = true;
    *status = Status::ResourceExhausted("body exceeds max_body_bytes (" +
                                        std::to_string(options_.max_body_bytes) + ") once decoded");
  }
}

// One hop ended with `code`: follow a redirect or complete.
void CurlFetcher::FinishHop(Transfer* t, CURLcode code) {
  CURL* e = t->easy;
  FetchResponse& r = t->response;
  long http_code = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &http_code);
  curl_off_t downloaded = 0;
  curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &downloaded);
  long header_size = 0;
  curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &header_size);
  r.wire_bytes += static_cast<uint64_t>(std::max<curl_off_t>(0, downloaded)) +
                  static_cast<uint64_t>(std::max<long>(0, header_size));

  auto finish = [&](Status status) {
    DecodeBody(t, &status);
    r.status = std::move(status);
    r.http_status = static_cast<int>(http_code);
    r.final_url = t->current_url;
    r.headers = std::move(t->hop_headers);
    r.body = std::move(t->hop_body);
    long version = 0;
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
    r.http_version = HttpVersionName(version);
    char* ip = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) r.remote_ip = ip;
    char* ctype = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype) {
      r.content_type = ctype;
    }
    auto node = transfers_.extract(e);
    Complete(std::move(node.mapped()));
  };

  if (code != CURLE_OK) {
    if (code == CURLE_WRITE_ERROR && t->body_cap_hit) {
      r.truncated = true;
      finish(Status::ResourceExhausted("body exceeds max_body_bytes (" +
                                       std::to_string(options_.max_body_bytes) + ")"));
    } else if (code == CURLE_WRITE_ERROR && t->header_cap_hit) {
      finish(Status::ResourceExhausted("response headers exceed " +
                                       std::to_string(kMaxHeaderBytes) + " bytes"));
    } else {
      finish(MapCurlError(code, t->error));
    }
    return;
  }

  std::string location;
  if (IsRedirectStatus(http_code)) {
    for (const auto& [name, value] : t->hop_headers) {
      if (name == "location") {
        location = value;
        break;
      }
    }
  }
  if (location.empty()) {
    finish(Status::Ok());
    return;
  }

  // Follow the redirect ourselves.
  Result<url::Url> base = url::Parse(t->current_url);
  Result<url::Url> target = base.ok() ? url::Resolve(*base, location) : base;
  if (!target.ok()) {
    finish(Status::InvalidArgument("bad redirect location \"" + location +
                                   "\": " + target.status().message()));
    return;
  }
  if (!target->IsHttp()) {
    finish(Status::InvalidArgument("redirect to a non-http(s) URL: " + location));
    return;
  }
  std::string next = WireUrl(*target);
  if (t->seen.count(next)) {
    std::string chain;
    for (const std::string& hop : r.redirect_chain) chain += hop + " -> ";
    chain += t->current_url + " -> " + next;
    finish(Status::InvalidArgument("redirect loop: " + chain));
    return;
  }
  if (static_cast<int>(r.redirect_chain.size()) >= options_.max_redirects) {
    finish(Status::InvalidArgument("too many redirects (max " +
                                   std::to_string(options_.max_redirects) + ")"));
    return;
  }
  spdlog::debug("redirect {} {} -> {}", http_code, t->current_url, next);
  r.redirect_chain.push_back(t->current_url);
  t->current_url = std::move(next);
  if (!StartHop(t)) {
    r.final_url = t->current_url;
    auto node = transfers_.extract(e);
    Complete(std::move(node.mapped()));
  }
}

// The transfer has left transfers_ and the multi handle.
void CurlFetcher::Complete(std::unique_ptr<Transfer> t) {
  t->response.elapsed_micros = MonotonicMicros() - t->start_monotonic;
  if (t->response.final_url.empty()) t->response.final_url = t->current_url;
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("fetch done {} -> {} {}", t->response.url, t->response.http_status,
                  t->response.status.ToString());
  }
  curl_slist_free_all(t->header_list);
  t->header_list = nullptr;
  ReleaseEasy(t->easy);
  t->easy = nullptr;
  PostCallback(std::move(t->done), std::move(t->response));
}

void CurlFetcher::PostCallback(Callback done, FetchResponse response) {
  std::weak_ptr<int> alive = alive_;
  asio::post(io_, [alive, done = std::move(done), response = std::move(response)]() mutable {
    if (alive.expired()) return;  // the fetcher is gone: no callbacks after
    done(std::move(response));
  });
}

void CurlFetcher::CancelAll() {
  auto transfers = std::move(transfers_);
  transfers_.clear();
  for (auto& [easy, t] : transfers) {
    curl_multi_remove_handle(multi_, easy);
    t->response.status = Status::Cancelled("fetch cancelled");
    t->response.body.clear();
    Complete(std::move(t));
  }
}

}  // namespace

std::string FetchResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (AsciiEqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

Result<std::unique_ptr<Fetcher>> NewCurlFetcher(boost::asio::io_context& io,
                                                const FetcherOptions& options) {
  auto fetcher = std::make_unique<CurlFetcher>(io, options);
  Status s = fetcher->Init();
  if (!s.ok()) return s;
  return std::unique_ptr<Fetcher>(std::move(fetcher));
}

}  // namespace jikji::crawler
