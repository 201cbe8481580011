// RevisitSchedule: when each URL that `jikji daemon` keeps current is due
// again, persisted in a RocksDB of its own under the archive directory, so
// the schedule survives restarts. A daemon that was down catches up: every
// overdue URL is due at once, and the crawl loop lets them into the
// frontier a bounded batch at a time, where per-host politeness paces them.
//
// The policy (NextInterval):
//   entry points (seeds, feeds, sitemaps): the site's `schedule`, else
//     daemon.interval;
//   articles: first visit -> revisit_min; then the interval doubles while
//     the page is unchanged (same text, or 304) and halves when it changed,
//     clamped to [revisit_min, revisit_max]; while the article is younger
//     than fresh_period it is also capped at fresh_interval.
//   Other pages (lists found by links, duplicates) are not revisited: the
//   entry points find them again.
//
// Layout: CF "due": big-endian due micros + url -> empty (the due list);
// CF "urls": url -> big-endian due micros + entry.
//
// Thread safety: none; used from the crawl loop's scheduling thread.
#ifndef JIKJI_CRAWLER_SCHEDULE_H_
#define JIKJI_CRAWLER_SCHEDULE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "crawler/frontier.h"

namespace jikji::crawler {

struct RevisitEntry {
  std::string url;                 // normalized
  std::string host;                // origin
  UrlKind kind = UrlKind::kPage;
  bool entry_point = false;        // a seed, feed or sitemap of a site
  int64_t due_micros = 0;
  int64_t interval_micros = 0;
  int64_t first_seen_micros = 0;
  uint32_t visits = 0;
  uint32_t changes = 0;
};

// The next interval for an article after a visit. `previous` is 0 for the
// first visit; `age_micros` is how long ago the article first appeared.
int64_t NextArticleInterval(const config::DaemonSettings& d, int64_t previous, bool changed,
                            int64_t age_micros);

class RevisitSchedule {
 public:
  // Errors: IOError, FailedPrecondition (locked by another process).
  static Result<std::unique_ptr<RevisitSchedule>> Open(const std::string& dir);
  ~RevisitSchedule();

  // Adds or replaces the entry of entry.url.
  Status Put(const RevisitEntry& entry);
  // The entry of a URL, or nullopt.
  std::optional<RevisitEntry> Get(const std::string& url) const;
  // Takes up to `max` entries due at or before `now_micros`, earliest first,
  // off the due list; Get() still returns them (their interval history)
  // until the visit Put()s them back with a new due time.
  std::vector<RevisitEntry> TakeDue(int64_t now_micros, size_t max);
  // When the earliest entry is due, or nullopt when empty.
  std::optional<int64_t> NextDue() const;
  // URLs known to the schedule (due or being visited).
  uint64_t size() const { return size_; }
  Status status() const { return status_; }

 private:
  class Db;
  explicit RevisitSchedule(std::unique_ptr<Db> db);
  std::unique_ptr<Db> db_;
  uint64_t size_ = 0;
  Status status_;
};

}  // namespace jikji::crawler

#endif  // JIKJI_CRAWLER_SCHEDULE_H_
