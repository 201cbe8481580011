// Frontier: the URLs waiting to be fetched, one queue per host ordered by
// priority (high first) then arrival, and the set of every URL ever queued
// in this crawl (so each normalized URL is fetched once per crawl).
// Scheduling state (delays, connections, robots) is the scheduler's.
//
// An item handed out by Pop() stays in the frontier until Done(): if the
// process dies in between, a persistent frontier hands it out again after
// reopening (so nothing queued is lost).
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

#include "common/status.h"

namespace jikji::crawler {

enum class UrlKind : uint8_t { kPage = 0, kFeed = 1, kSitemap = 2 };

struct FrontierItem {
  std::string url;   // normalized absolute URL
  std::string host;  // scheduling key: the URL's origin "scheme://host[:port]"
  UrlKind kind = UrlKind::kPage;
  int depth = 0;     // link hops from a seed, feed or sitemap
  int site = -1;     // index of the configured site (recomputed on resume)
  int attempts = 0;  // fetches tried so far (retries)
  uint8_t priority = 0;          // higher is fetched first within a host
  int64_t enqueued_micros = 0;   // wall clock when first queued
  uint64_t seq = 0;              // set by the frontier: arrival order
};

class Frontier {
 public:
  virtual ~Frontier() = default;

  // Queues `item` unless its URL was queued or marked seen before.
  // Returns false for a URL already seen, or when the frontier is full
  // (then dropped() counts it), or on a storage error (status() tells).
  virtual bool Push(FrontierItem item) = 0;
  // Queues a URL again although it was seen (a scheduled revisit).
  virtual bool Requeue(FrontierItem item) = 0;
  // Puts a popped item back (a retry), with its new attempts count.
  virtual void Retry(FrontierItem item) = 0;
  // Forgets a popped item for good (fetched and stored, or given up).
  virtual void Done(const FrontierItem& item) = 0;
  // Push() of each of `items` (the links of a page), then Done(`done`) (the
  // page): a persistent frontier writes them in one atomic batch. Returns
  // how many items were queued.
  virtual size_t PushAllThenDone(std::vector<FrontierItem> items, const FrontierItem& done) {
    size_t queued = 0;
    for (FrontierItem& item : items) queued += Push(std::move(item)) ? 1 : 0;
    Done(done);
    return queued;
  }
  virtual bool Seen(std::string_view url) const = 0;
  // Marks a URL as seen without queuing it (e.g. a redirect's target).
  virtual void MarkSeen(std::string_view url) = 0;
  // The next item of `host`; nullopt when none is waiting.
  virtual std::optional<FrontierItem> Pop(std::string_view host) = 0;
  virtual size_t QueuedFor(std::string_view host) const = 0;
  // Items waiting or popped-but-not-done, all hosts.
  virtual size_t Queued() const = 0;
  // Hosts with waiting items.
  virtual std::vector<std::string> Hosts() const = 0;
  // Forgets the seen set (a new crawl over a finished frontier).
  // REQUIRES: Queued() == 0.
  virtual void ClearSeen() = 0;
  virtual uint64_t dropped() const = 0;
  // The first storage error, if any (persistent frontiers only).
  virtual Status status() const { return Status::Ok(); }
};

// An in-memory frontier holding at most `max_queued` items. The seen set
// keeps 64-bit hashes of URLs, not the strings (a false "seen" needs a
// 64-bit collision).
std::unique_ptr<Frontier> NewMemoryFrontier(size_t max_queued);

struct RocksFrontierOptions {
  size_t max_queued = 50'000'000;
  // Items read ahead per host into memory; bounds memory with the block
  // cache and write buffer below, whatever the queue's size.
  size_t host_buffer = 256;
  size_t block_cache_bytes = 32 << 20;
  size_t write_buffer_bytes = 16 << 20;
};

// A frontier persisted in its own RocksDB at `dir` (created if missing):
// queue entries and the seen set live on disk; memory holds per-host counts
// and a small read-ahead buffer per host. Reopening after a crash resumes
// every item that was not Done().
// Errors: IOError / FailedPrecondition (locked by another process).
Result<std::unique_ptr<Frontier>> NewRocksFrontier(const std::string& dir,
                                                   const RocksFrontierOptions& options = {});

}  // namespace jikji::crawler

#endif  // JIKJI_CRAWLER_FRONTIER_H_
