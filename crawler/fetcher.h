// Fetcher: the one door to the network. The real implementation drives
// libcurl's multi interface from a Boost.Asio io_context
// (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION): many transfers in
// flight on one thread, no thread per request.
//
// Thread safety: a Fetcher belongs to its io_context. Fetch(), InFlight()
// and CancelAll() must be called on the thread running that io_context
// (post to it from elsewhere); callbacks run there too.
#ifndef JIKJI_CRAWLER_FETCHER_H_
#define JIKJI_CRAWLER_FETCHER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace boost::asio {
class io_context;
}

namespace jikji::crawler {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct FetchRequest {
  std::string url;                 // absolute http(s) URL
  // Conditional GET validators, sent when not empty, and only to `url`
  // itself (never to a redirect's target: validators belong to one URL).
  std::string if_none_match;
  std::string if_modified_since;   // HTTP-date
  HeaderList extra_headers;
  uint64_t tag = 0;                // the caller's, returned in the response
};

struct FetchResponse {
  // OK when a final HTTP response was received, whatever its code.
  // Otherwise: DeadlineExceeded (timeouts, low speed), Unavailable
  // (connect/DNS/reset/truncated body: worth a retry), ResourceExhausted
  // (body cap: body holds the first max_body_bytes; or headers over
  // 256 KiB), InvalidArgument (bad URL, redirect loop, too many redirects;
  // max_redirects = 0 makes any redirect fail), DataLoss (undecodable
  // Content-Encoding), Internal (unexpected libcurl error), Cancelled.
  Status status;
  uint64_t tag = 0;
  int http_status = 0;
  std::string url;                          // as requested
  // After redirects; final_url and redirect_chain are in url::Parse's
  // serialization without fragment ("http://h:1" becomes "http://h:1/").
  std::string final_url;
  std::vector<std::string> redirect_chain;  // each hop before final_url, in order
  HeaderList headers;                       // of the final response; names lower-case
  std::string content_type;
  std::string body;                         // content-decoded (gzip, deflate, br)
  bool truncated = false;
  std::string http_version;                 // "1.1", "2"
  std::string remote_ip;
  int64_t started_micros = 0;               // wall clock at start
  int64_t elapsed_micros = 0;
  uint64_t wire_bytes = 0;                  // headers + raw body bytes, all hops

  // First value of a header (name compared case-insensitively), or "".
  std::string Header(std::string_view name) const;
};

struct FetcherOptions {
  std::string user_agent = "Jikji/0.1 (+https://github.com/jikji-archive/jikji)";
  int64_t connect_timeout_ms = 10'000;
  int64_t total_timeout_ms = 60'000;  // the whole fetch, redirects included
  // Abort when fewer than low_speed_bytes/s arrive for low_speed_time_s.
  int64_t low_speed_bytes = 64;
  int64_t low_speed_time_s = 20;
  // Cap on the decoded body, enforced in the write callback so that a
  // compressed bomb stops at the cap.
  size_t max_body_bytes = 16 << 20;
  // Redirects followed by the fetcher itself (chain recorded, loops caught).
  int max_redirects = 5;
  // curl --resolve entries: "HOST:PORT:ADDR".
  std::vector<std::string> resolve;
  bool http2 = true;  // HTTP/2 over TLS when offered; false forces HTTP/1.1
  // CA certificates (PEM file) trusted for HTTPS instead of the system's
  // store, e.g. a private CA; empty: the system's store.
  std::string ca_file;
  int64_t dns_cache_seconds = 300;
  // Idle connections kept open for reuse (CURLMOPT_MAXCONNECTS). libcurl's
  // default, 4 x the transfers in flight at that moment, shrinks whenever
  // few transfers run and closes connections a moment later needed again.
  long connection_cache = 128;
};

class Fetcher {
 public:
  using Callback = std::function<void(FetchResponse)>;
  virtual ~Fetcher() = default;

  // Starts fetching. `done` runs exactly once, on the io_context thread,
  // never from inside Fetch() itself -- provided the fetcher lives until
  // then: destroying it drops the callbacks of transfers still in flight.
  virtual void Fetch(FetchRequest request, Callback done) = 0;
  virtual size_t InFlight() const = 0;
  // Aborts every transfer; their callbacks run with status Cancelled.
  virtual void CancelAll() = 0;
};

// Creates the libcurl-multi fetcher. `io` must outlive the fetcher, and the
// fetcher must be destroyed on the io_context thread (or after it stopped).
// Errors: InvalidArgument for a malformed resolve entry.
Result<std::unique_ptr<Fetcher>> NewCurlFetcher(boost::asio::io_context& io,
                                                const FetcherOptions& options);

}  // namespace jikji::crawler

#endif  // JIKJI_CRAWLER_FETCHER_H_
