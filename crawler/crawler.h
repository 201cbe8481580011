// Crawler: the crawl loop. Seeds, feeds and sitemaps go into a frontier of
// per-host priority queues (persistent: a killed crawl resumes); a scheduler on one Asio thread hands URLs to the
// libcurl-multi Fetcher while honouring robots.txt, per-host connection
// limits and delays, and a global concurrency limit; a pool of worker
// threads extracts each page and stores it in the Archive (one worker at a
// time stores, in arrival order, while the others extract); links found
// are normalized, scoped and queued once. A site's menus and footers are
// parsed on the first page that shows them and left out of the parse on
// the others (internal/block_cache.h).
//
// Thread safety: Run() is called once, from one thread. RequestStop() may
// be called from any thread (or a signal handler via a flag it polls).
#ifndef JIKJI_CRAWLER_CRAWLER_H_
#define JIKJI_CRAWLER_CRAWLER_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"

namespace jikji::storage {
class Archive;
}

namespace jikji::crawler {

// Hooks for metrics: called on the crawl loop's scheduling thread, so an
// implementation must be quick and must not call back into the Crawler.
class CrawlObserver {
 public:
  virtual ~CrawlObserver() = default;
  // One finished request. `status` is the HTTP code, or "timeout",
  // "unavailable", "too_large", "invalid", "cancelled", "error".
  virtual void OnFetch(const std::string& /*host*/, const std::string& /*status*/, uint64_t /*bytes*/,
                       double /*seconds*/) {}
  virtual void OnRobotsDenied(const std::string& /*url*/) {}
  // After a page or feed was stored. `outcome`: "new_article", "new_version",
  // "unchanged", "duplicate", "not_article", "not_modified".
  virtual void OnStored(const std::string& /*site*/, const std::string& /*outcome*/) {}
  virtual void OnExtractionFailure(const std::string& /*url*/) {}
  virtual void OnQueueDepth(uint64_t /*queued*/, uint64_t /*scheduled*/) {}
};

struct CrawlOptions {
  config::CrawlSettings settings;
  // Configured sources. Each site's hosts are in scope.
  std::vector<config::SiteConfig> sites;
  // Extra start URLs (jikji crawl --seed). A seed whose host belongs to no
  // configured site makes a site of its own (that host, no URL rules).
  std::vector<std::string> seeds;
  // Terms for focused crawling (link priority, article relevance).
  std::vector<config::Topic> topics;
  // Where the persistent frontier lives (its own RocksDB); a crawl killed
  // at any moment resumes from it. Empty: an in-memory frontier.
  std::string frontier_dir;
  // Daemon mode: Run() does not end when the frontier is empty; URLs come
  // back on the revisit schedule kept in schedule_dir (crawler/schedule.h).
  bool daemon = false;
  config::DaemonSettings daemon_settings;
  std::string schedule_dir;
  // Not owned; must outlive Run(). May be null.
  CrawlObserver* observer = nullptr;
};

struct CrawlStats {
  uint64_t requests = 0;          // HTTP requests made (robots.txt included)
  uint64_t pages = 0;             // HTML pages fetched with a 2xx status
  uint64_t feeds = 0;             // feeds and sitemaps parsed
  uint64_t robots_fetched = 0;
  uint64_t bytes = 0;             // decoded body bytes
  uint64_t http_errors = 0;       // non-2xx final responses (robots excluded)
  uint64_t fetch_errors = 0;      // transport failures after retries
  uint64_t retries = 0;
  uint64_t robots_denied = 0;     // URLs skipped because robots.txt says so
  uint64_t out_of_scope = 0;      // links dropped by scope rules
  uint64_t articles_new = 0;      // first version of an article stored
  uint64_t versions_new = 0;      // later versions stored
  uint64_t unchanged = 0;
  uint64_t duplicates = 0;        // exact duplicates recognised (aliases)
  uint64_t not_articles = 0;
  uint64_t store_errors = 0;
  uint64_t not_modified = 0;      // 304 answers to conditional GETs
  uint64_t resumed_skipped = 0;   // queued URLs already stored before a restart
  uint64_t traps = 0;             // URLs refused by spider-trap guards
  uint64_t host_cap = 0;          // URLs refused by max_pages_per_host
  uint64_t boiler_blocks_skipped = 0;  // repeated menus/footers not parsed again (links known)
  uint64_t scheduled = 0;         // URLs on the revisit schedule (daemon)
  uint64_t queued = 0;            // URLs in the frontier at the last report
  double seconds = 0;
  std::string stop_reason;        // "frontier empty", "max pages", "max time", "stopped", "store failed"
  std::map<int, uint64_t> by_status;
};

class Crawler {
 public:
  // `archive` must outlive the Crawler. `clock` may be null (system clock).
  Crawler(CrawlOptions options, storage::Archive* archive, Clock* clock = nullptr);
  ~Crawler();
  Crawler(const Crawler&) = delete;
  Crawler& operator=(const Crawler&) = delete;

  // Crawls until the frontier is empty, a limit is hit, RequestStop() is
  // called, or the archive fails a write (then the Status says why; what
  // was stored before stays stored).
  // Errors: InvalidArgument for bad options (no seeds, bad resolve entry);
  // the archive's error when a write failed.
  Result<CrawlStats> Run();

  // Stops dispatching new fetches; in-flight ones finish and are stored,
  // or after daemon_settings.stop_timeout are cancelled and stay queued
  // for the next run. Async-signal-safe.
  void RequestStop() { stop_requested_.store(true); }

  // The counters as of the last progress tick (5 times a second).
  // Thread-safe.
  CrawlStats Snapshot() const;
  // True once Run() has loaded its frontier and started fetching.
  bool running() const { return running_.load(); }

 private:
  class Impl;
  CrawlOptions options_;
  storage::Archive* archive_;
  Clock* clock_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> running_{false};
  mutable std::mutex snapshot_mu_;
  CrawlStats snapshot_;  // guarded by snapshot_mu_
};

}  // namespace jikji::crawler

#endif  // JIKJI_CRAWLER_CRAWLER_H_
