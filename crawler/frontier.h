// Frontier: the URLs waiting to be fetched, one FIFO queue per host, and
// the set of every URL ever queued (so each normalized URL is fetched once
// per crawl). Scheduling state (delays, connections, robots) is the
// scheduler's, not the frontier's.
//
// Thread safety: none; the crawl loop uses a frontier from its one
// scheduling thread.
#ifndef JIKJI_CRAWLER_FRONTIER_H_
#define JIKJI_CRAWLER_FRONTIER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jikji::crawler {

enum class UrlKind : uint8_t { kPage = 0, kFeed = 1, kSitemap = 2 };

struct FrontierItem {
  std::string url;   // normalized absolute URL
  std::string host;  // scheduling key: the URL's origin "scheme://host[:port]"
  UrlKind kind = UrlKind::kPage;
  int depth = 0;     // link hops from a seed, feed or sitemap
  int site = -1;     // index of the configured site the URL belongs to
  int attempts = 0;  // fetches tried so far (retries)
};

class Frontier {
 public:
  virtual ~Frontier() = default;

  // Queues `item` unless its URL was queued or marked seen before.
  // Returns false for a URL already seen, or when the frontier is full
  // (then dropped() counts it).
  virtual bool Push(FrontierItem item) = 0;
  // Queues a popped item again (a retry), bypassing the seen check.
  virtual void Retry(FrontierItem item) = 0;
  virtual bool Seen(std::string_view url) const = 0;
  // Marks a URL as seen without queuing it (e.g. a redirect's target).
  virtual void MarkSeen(std::string_view url) = 0;
  // The next item of `host`, in FIFO order; nullopt when none is queued.
  virtual std::optional<FrontierItem> Pop(std::string_view host) = 0;
  virtual size_t QueuedFor(std::string_view host) const = 0;
  virtual size_t Queued() const = 0;
  virtual uint64_t dropped() const = 0;
};

// An in-memory frontier holding at most `max_queued` items. The seen set
// keeps 64-bit hashes of URLs, not the strings (8 bytes a URL plus the set's
// overhead; a false "seen" needs a 64-bit collision).
std::unique_ptr<Frontier> NewMemoryFrontier(size_t max_queued);

}  // namespace jikji::crawler

#endif  // JIKJI_CRAWLER_FRONTIER_H_
