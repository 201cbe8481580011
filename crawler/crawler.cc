#include "crawler/crawler.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <ctime>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "crawler/fetcher.h"
#include "crawler/frontier.h"
#include "crawler/internal/block_cache.h"
#include "crawler/internal/link_cache.h"
#include "crawler/internal/scope.h"
#include "crawler/robots.h"
#include "crawler/schedule.h"
#include "crawler/topics.h"
#include "parser/extractor.h"
#include "parser/feeds.h"
#include "storage/archive.h"
#include "url/url.h"

namespace jikji::crawler {

namespace asio = boost::asio;

// The crawl loop's state. Everything here is touched only on the io_context
// thread (the scheduling thread), except what worker threads receive by
// value in Process*(); their results come back by asio::post.
class Crawler::Impl {
 public:
  explicit Impl(Crawler* owner)
      : owner_(owner), options_(owner->options_), scope_(Sites()), topics_(options_.topics) {}

  Result<CrawlStats> Run();

 private:
  // Per-origin politeness state.
  struct HostState {
    std::string origin;
    int site = -1;
    // kUnavailable: robots.txt failed (5xx, unreachable) and no earlier
    // copy exists; nothing is fetched from the host until it is retried.
    enum class Robots { kUnknown, kFetching, kReady, kUnavailable } robots = Robots::kUnknown;
    RobotsRules rules = RobotsRules::AllowAll();
    bool have_rules = false;         // a copy fetched (2xx/4xx) in this run
    int64_t robots_expires_us = 0;   // monotonic: fetch robots.txt again
    int robots_failures = 0;         // consecutive 5xx/unreachable
    int in_flight = 0;
    int max_connections = 1;
    int64_t delay_us = 0;
    int64_t next_allowed_us = 0;  // monotonic
    int consecutive_failures = 0;
  };

  // A URL that passed every check that needs no crawl state (normalized,
  // in scope, no spider trap, within depth), ready for the frontier.
  struct Candidate {
    std::string url;  // normalized
    std::string origin;
    int site = -1;
    UrlKind kind = UrlKind::kPage;
    int depth = 0;
    uint8_t priority = 0;
  };
  enum class Verdict { kQueue, kRejected, kTooDeep };
  // Rejections counted by Vet() (added to stats_ on the scheduling thread).
  struct Rejections {
    uint64_t out_of_scope = 0;
    uint64_t traps = 0;
  };

  // What a worker hands back after processing one response.
  struct Processed {
    FrontierItem item;
    Status store_status;
    storage::StoreResult store;
    bool is_feed = false;
    bool ok_status = false;               // a 2xx response
    int http_status = 0;
    bool extraction_failed = false;       // an article URL that gave no article
    // Links, feed entries, child sitemaps, rel=alternate feeds and the
    // canonical URL found, vetted on the worker; the scheduling thread
    // only has to queue them.
    std::vector<Candidate> candidates;
    Rejections rejections;
    bool relinked = false;  // from Relink(): nothing fetched or stored
    size_t skipped_blocks = 0;  // boilerplate blocks left out (block_cache_)
  };

  const std::vector<config::SiteConfig>& Sites() {
    // Seeds without a configured site get a site of their own.
    sites_ = options_.sites;
    for (const std::string& seed : options_.seeds) {
      auto u = url::Parse(seed);
      if (!u.ok() || !u->IsHttp()) continue;
      bool known = false;
      for (const auto& s : sites_) {
        if (std::find(s.hosts.begin(), s.hosts.end(), u->host) != s.hosts.end()) known = true;
      }
      if (known) continue;
      config::SiteConfig site;
      site.name = u->host;
      site.hosts = {u->host};
      sites_.push_back(std::move(site));
    }
    return sites_;
  }

  int64_t Mono() const { return owner_->clock_->MonotonicMicros(); }

  // Queues a URL found at `depth`. `force`: queue it even if seen before
  // (a daemon's entry point that has no schedule yet).
  void Enqueue(const std::string& raw, UrlKind kind, int depth, std::string_view anchor = {},
               bool force = false);
  // The stateless part of Enqueue: any thread.
  Verdict Vet(std::string_view raw, UrlKind kind, int depth, std::string_view anchor, Candidate* out,
              Rejections* rejections) const;
  // Vet() through the link cache (worker threads): appends to `out`
  // unless the link was vetted before in this run.
  void VetFound(std::string_view raw, UrlKind kind, int depth, std::string_view anchor,
                Processed* out) const;
  void Queue(Candidate c, bool force);
  FrontierItem MakeItem(Candidate c);
  void EnqueueEntryPoints();
  void ReleaseDue();
  void Reschedule(const Processed& r);
  int64_t EntryInterval(int site) const;
  void Observe(const std::string& host, const FetchResponse& r);
  void PublishSnapshot();
  bool IsTrap(const url::Url& u, const std::string& normalized) const;
  // What to do with a popped item: fetch it (conditional-GET validators
  // filled in), drop it, or -- stored by a run that was killed before it
  // queued the page's links -- take its links from the archived capture.
  enum class Admission { kFetch, kDrop, kFromArchive };
  Admission Admit(FrontierItem& item, FetchRequest* req);
  // Worker: the links of an already stored capture (see kFromArchive).
  Processed Relink(FrontierItem item) const;
  // Worker: extraction and link vetting of one response (fetched from
  // `final_url`) into `out`. Returns the article to store with the capture
  // (none for feeds, errors and pages that are no article).
  std::optional<Article> Analyze(const FrontierItem& item, const FetchResponse& response,
                                 const std::string& final_url, Processed* out) const;
  HostState& Host(const std::string& origin, int site);
  void Pump();
  void ArmTimer(int64_t wait_us);
  void Dispatch(HostState& host, FrontierItem item, FetchRequest req);
  void FetchRobots(HostState& host);
  void OnRobots(const std::string& origin, FetchResponse response);
  void OnFetched(FrontierItem item, FetchResponse response);
  bool MaybeRetry(HostState& host, FrontierItem& item, const FetchResponse& response);
  // Worker: analyzes one response, then hands its capture to SubmitStore().
  void Process(FrontierItem item, FetchResponse response);
  // A capture waiting to be stored, with what Analyze() found.
  struct PendingStore {
    storage::Capture capture;
    std::optional<Article> article;
    double relevance = 0;
    Processed out;
  };
  // Worker: stores `p` and posts OnProcessed, or leaves it to the worker
  // already storing (see store_queue_).
  void SubmitStore(std::unique_ptr<PendingStore> p);
  void OnProcessed(Processed result);
  // The end of OnProcessed: counts the rejected links, queues the vetted
  // ones, marks the page done, pumps.
  void QueueLinksAndFinish(Processed& r);
  void Tick();
  void Stop(const std::string& reason);
  void MaybeFinish();
  bool CanDispatchMore() const;

  Crawler* owner_;
  const CrawlOptions& options_;
  std::vector<config::SiteConfig> sites_;
  internal::Scope scope_;
  TopicModel topics_;
  // Links already vetted in this run (worker threads share it).
  mutable internal::LinkCache link_cache_;
  mutable internal::BlockCache block_cache_;
  // Captures analyzed, waiting to be stored. Stores of new versions are
  // serialized inside the archive (near-duplicate check and change
  // sequence), and a worker that waited there left its core idle, so one
  // worker at a time stores, in arrival order, while the others go on
  // extracting: a worker that finds no store under way drains the queue.
  // Bounded by max_processing_ (each entry is a response in processing).
  std::mutex store_mu_;
  std::deque<std::unique_ptr<PendingStore>> store_queue_;  // GUARDED_BY(store_mu_)
  bool storing_ = false;                                   // GUARDED_BY(store_mu_)
  url::NormalizeOptions normalize_;
  std::map<std::string, int64_t> pages_per_host_;

  asio::io_context io_;
  std::unique_ptr<asio::thread_pool> workers_;
  std::unique_ptr<Fetcher> fetcher_;
  std::unique_ptr<Frontier> frontier_;
  std::unique_ptr<RevisitSchedule> schedule_;  // daemon mode only
  CrawlObserver* observer_ = nullptr;
  asio::steady_timer stop_timer_{io_};
  int64_t last_release_us_ = 0;
  std::map<std::string, HostState> hosts_;
  asio::steady_timer wake_timer_{io_};
  bool wake_armed_ = false;
  asio::steady_timer tick_timer_{io_};

  int in_flight_ = 0;
  int processing_ = 0;
  int max_processing_ = 0;
  int64_t dispatched_pages_ = 0;
  int64_t start_us_ = 0;
  int64_t last_report_us_ = 0;
  uint64_t last_report_pages_ = 0;
  bool stopping_ = false;
  bool finished_ = false;
  Status failure_;
  CrawlStats stats_;
  std::mt19937_64 rng_{std::random_device{}()};
};

Crawler::Crawler(CrawlOptions options, storage::Archive* archive, Clock* clock)
    : options_(std::move(options)), archive_(archive), clock_(clock ? clock : Clock::Default()) {}

Crawler::~Crawler() = default;

CrawlStats Crawler::Snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

Result<CrawlStats> Crawler::Run() {
  Impl impl(this);
  return impl.Run();
}

Result<CrawlStats> Crawler::Impl::Run() {
  const config::CrawlSettings& s = options_.settings;
  normalize_.strip_params = s.strip_params;

  FetcherOptions fo;
  fo.user_agent = s.user_agent;
  fo.connect_timeout_ms = s.connect_timeout_ms;
  fo.total_timeout_ms = s.timeout_ms;
  fo.max_body_bytes = static_cast<size_t>(s.max_body_bytes);
  fo.max_redirects = s.max_redirects;
  fo.resolve = s.resolve;
  fo.ca_file = s.ca_file;
  auto fetcher = NewCurlFetcher(io_, fo);
  if (!fetcher.ok()) return fetcher.status();
  fetcher_ = std::move(*fetcher);
  if (options_.frontier_dir.empty()) {
    frontier_ = NewMemoryFrontier(static_cast<size_t>(s.max_queue));
  } else {
    RocksFrontierOptions fro;
    fro.max_queued = static_cast<size_t>(s.max_queue);
    auto f = NewRocksFrontier(options_.frontier_dir, fro);
    if (!f.ok()) return f.status();
    frontier_ = std::move(*f);
  }
  observer_ = options_.observer;
  if (options_.daemon) {
    if (options_.schedule_dir.empty()) return Status::InvalidArgument("daemon mode needs a schedule_dir");
    auto schedule = RevisitSchedule::Open(options_.schedule_dir);
    if (!schedule.ok()) return schedule.status();
    schedule_ = std::move(*schedule);
  }
  size_t resumed = frontier_->Queued();
  if (resumed > 0) {
    // A crawl that was stopped or killed: carry on where it was.
    spdlog::info("resuming crawl: {} URLs still queued", resumed);
    for (const std::string& origin : frontier_->Hosts()) {
      auto u = url::Parse(origin);
      if (u.ok()) Host(u->Origin(), scope_.SiteForHost(u->host));
    }
  } else if (!options_.daemon) {
    frontier_->ClearSeen();  // a new crawl fetches everything again
  }

  unsigned workers = s.workers > 0 ? static_cast<unsigned>(s.workers)
                                   : std::max(1u, std::thread::hardware_concurrency());
  workers_ = std::make_unique<asio::thread_pool>(workers);
  // Responses waiting for (or in) extraction: enough to keep every worker
  // busy, few enough to bound memory (each holds one body).
  max_processing_ = static_cast<int>(workers) * 4 + s.concurrency;

  EnqueueEntryPoints();
  if (frontier_->Queued() == 0 && resumed == 0 && (!schedule_ || schedule_->size() == 0)) {
    return Status::InvalidArgument("nothing to crawl: no valid seed, feed or sitemap URL in scope");
  }
  spdlog::info("crawl: {} sites, {} start URLs, concurrency {}, {} workers", sites_.size(),
               frontier_->Queued(), s.concurrency, workers);

  start_us_ = Mono();
  last_report_us_ = start_us_;
  PublishSnapshot();
  owner_->running_.store(true);
  asio::post(io_, [this] { Pump(); });
  Tick();
  io_.run();

  workers_->join();
  owner_->running_.store(false);
  if (!frontier_->status().ok() && failure_.ok()) failure_ = frontier_->status();
  if (schedule_ && !schedule_->status().ok() && failure_.ok()) failure_ = schedule_->status();
  PublishSnapshot();
  stats_.seconds = static_cast<double>(Mono() - start_us_) / 1e6;
  if (!failure_.ok()) return failure_;
  return stats_;
}

// Seeds, feeds and sitemaps. A daemon queues those that have no schedule
// entry yet (first start, or added to the config); the others come back
// when due.
void Crawler::Impl::EnqueueEntryPoints() {
  auto add = [this](const std::string& u, UrlKind kind) {
    bool force = false;
    if (schedule_) {
      auto n = url::NormalizeString(u, normalize_);
      force = n.ok() && !schedule_->Get(*n);
    }
    Enqueue(u, kind, 0, {}, force);
  };
  for (size_t i = 0; i < sites_.size(); ++i) {
    for (const auto& u : sites_[i].sitemaps) add(u, UrlKind::kSitemap);
    for (const auto& u : sites_[i].feeds) add(u, UrlKind::kFeed);
    for (const auto& u : sites_[i].seeds) add(u, UrlKind::kPage);
  }
  for (const auto& u : options_.seeds) add(u, UrlKind::kPage);
}

int64_t Crawler::Impl::EntryInterval(int site) const {
  int64_t ms = options_.daemon_settings.interval_ms;
  if (site >= 0 && !sites_[site].schedule.empty()) ParseDurationMillis(sites_[site].schedule, &ms);
  return ms * 1000;
}

// Daemon: moves due revisits into the frontier, a bounded batch at a time
// so that a daemon that was down catches up without flooding the queue
// (per-host politeness paces the rest).
void Crawler::Impl::ReleaseDue() {
  constexpr size_t kMaxQueuedForRelease = 5000;
  if (!schedule_ || stopping_) return;
  size_t queued = frontier_->Queued();
  if (queued >= kMaxQueuedForRelease) return;
  auto due = schedule_->TakeDue(owner_->clock_->NowMicros(), kMaxQueuedForRelease - queued);
  for (RevisitEntry& e : due) {
    auto u = url::Parse(e.url);
    if (!u.ok()) continue;
    int site = scope_.SiteForHost(u->host);
    if (site < 0) continue;  // no longer configured
    HostState& host = Host(u->Origin(), site);
    FrontierItem item;
    item.url = std::move(e.url);
    item.host = host.origin;
    item.kind = e.kind;
    item.depth = e.entry_point ? 0 : 1;
    item.site = site;
    item.priority = e.entry_point ? 10 : 5;
    item.enqueued_micros = owner_->clock_->NowMicros();
    frontier_->Requeue(std::move(item));
  }
}

// Daemon: when to come back to what was just fetched (crawler/schedule.h).
void Crawler::Impl::Reschedule(const Processed& r) {
  if (!schedule_) return;
  using Outcome = storage::StoreResult::Outcome;
  int64_t now = owner_->clock_->NowMicros();
  auto previous = schedule_->Get(r.item.url);
  RevisitEntry e;
  e.url = r.item.url;
  e.host = r.item.host;
  e.kind = r.item.kind;
  e.first_seen_micros = previous ? previous->first_seen_micros : now;
  e.visits = previous ? previous->visits + 1 : 1;
  e.changes = previous ? previous->changes : 0;
  if (r.item.depth == 0) {
    e.entry_point = true;
    e.interval_micros = EntryInterval(r.item.site);
  } else {
    bool article = r.store.outcome == Outcome::kNewArticle || r.store.outcome == Outcome::kNewVersion ||
                   r.store.outcome == Outcome::kUnchanged || r.http_status == 304;
    if (!article || !r.store_status.ok()) return;
    bool changed = r.store.outcome == Outcome::kNewVersion;
    if (changed) ++e.changes;
    e.interval_micros = NextArticleInterval(options_.daemon_settings, previous ? previous->interval_micros : 0,
                                            changed, now - e.first_seen_micros);
  }
  e.due_micros = now + e.interval_micros;
  schedule_->Put(e);
}

void Crawler::Impl::Observe(const std::string& host, const FetchResponse& r) {
  if (!observer_) return;
  std::string status;
  if (r.status.ok()) status = std::to_string(r.http_status);
  else if (r.status.code() == Status::Code::kDeadlineExceeded) status = "timeout";
  else if (r.status.code() == Status::Code::kUnavailable) status = "unavailable";
  else if (r.status.code() == Status::Code::kResourceExhausted) status = "too_large";
  else if (r.status.code() == Status::Code::kInvalidArgument) status = "invalid";
  else if (r.status.code() == Status::Code::kCancelled) status = "cancelled";
  else status = "error";
  observer_->OnFetch(host, status, r.body.size(), r.elapsed_micros / 1e6);
}

void Crawler::Impl::PublishSnapshot() {
  stats_.queued = frontier_ ? frontier_->Queued() : 0;
  stats_.scheduled = schedule_ ? schedule_->size() : 0;
  stats_.seconds = static_cast<double>(Mono() - start_us_) / 1e6;
  std::lock_guard<std::mutex> lock(owner_->snapshot_mu_);
  owner_->snapshot_ = stats_;
}

Crawler::Impl::HostState& Crawler::Impl::Host(const std::string& origin, int site) {
  auto it = hosts_.find(origin);
  if (it != hosts_.end()) return it->second;
  HostState& h = hosts_[origin];
  h.origin = origin;
  h.site = site;
  const config::CrawlSettings& s = options_.settings;
  int64_t delay_ms = s.per_host_delay_ms;
  h.max_connections = s.per_host_connections;
  if (site >= 0) {
    const config::SiteConfig& sc = sites_[site];
    if (sc.per_host_delay_ms >= 0) delay_ms = sc.per_host_delay_ms;
    if (sc.per_host_connections > 0) h.max_connections = sc.per_host_connections;
  }
  h.delay_us = delay_ms * 1000;
  return h;
}

void Crawler::Impl::Enqueue(const std::string& raw, UrlKind kind, int depth, std::string_view anchor,
                            bool force) {
  Candidate c;
  Rejections rejections;
  Verdict verdict = Vet(raw, kind, depth, anchor, &c, &rejections);
  stats_.out_of_scope += rejections.out_of_scope;
  stats_.traps += rejections.traps;
  if (verdict == Verdict::kQueue) Queue(std::move(c), force);
}

Crawler::Impl::Verdict Crawler::Impl::Vet(std::string_view raw, UrlKind kind, int depth,
                                          std::string_view anchor, Candidate* out,
                                          Rejections* rejections) const {
  const config::CrawlSettings& s = options_.settings;
  if (raw.size() > static_cast<size_t>(s.max_url_length) * 2) {
    ++rejections->traps;
    return Verdict::kRejected;
  }
  auto parsed = url::Parse(raw);
  if (!parsed.ok() || !parsed->IsHttp() || parsed->host.empty()) return Verdict::kRejected;
  url::Url u = url::Normalize(*parsed, normalize_);
  std::string normalized = u.Serialize();
  int site = -1;
  auto verdict = scope_.Check(u.host, normalized, u.path, kind, &site);
  if (verdict != internal::Scope::Verdict::kIn) {
    ++rejections->out_of_scope;
    return Verdict::kRejected;
  }
  if (IsTrap(u, normalized)) {
    ++rejections->traps;
    spdlog::debug("spider-trap guard refuses {}", normalized);
    return Verdict::kRejected;
  }
  int max_depth = sites_[site].max_depth >= 0 ? sites_[site].max_depth : s.max_depth;
  if (kind == UrlKind::kPage && depth > max_depth) return Verdict::kTooDeep;
  out->origin = u.Origin();
  out->site = site;
  out->kind = kind;
  out->depth = depth;
  // Feeds and sitemaps first (they find the news), then by topic.
  out->priority = kind != UrlKind::kPage ? 10 : topics_.LinkPriority(normalized, anchor);
  out->url = std::move(normalized);
  return Verdict::kQueue;
}

void Crawler::Impl::VetFound(std::string_view raw, UrlKind kind, int depth, std::string_view anchor,
                             Processed* out) const {
  // The kind seeds the fingerprint: a URL found as a link and as a feed is
  // vetted as both. (No copy of the link on this per-link path.)
  const uint64_t fp = internal::LinkCache::Fingerprint(raw, static_cast<uint64_t>(kind) + 1);
  if (link_cache_.Contains(fp)) return;
  Candidate c;
  Verdict verdict = Vet(raw, kind, depth, anchor, &c, &out->rejections);
  // Too deep here may be shallow enough from another page: not cached.
  if (verdict == Verdict::kTooDeep) return;
  if (!link_cache_.Insert(fp)) return;  // another worker vetted it meanwhile
  if (verdict == Verdict::kQueue) out->candidates.push_back(std::move(c));
}

// Push() does the seen check; Requeue() skips it.
void Crawler::Impl::Queue(Candidate c, bool force) {
  FrontierItem item = MakeItem(std::move(c));
  if (force) frontier_->Requeue(std::move(item));
  else frontier_->Push(std::move(item));
}

FrontierItem Crawler::Impl::MakeItem(Candidate c) {
  HostState& host = Host(c.origin, c.site);
  FrontierItem item;
  item.url = std::move(c.url);
  item.host = host.origin;
  item.kind = c.kind;
  item.depth = c.depth;
  item.site = c.site;
  item.priority = c.priority;
  item.enqueued_micros = owner_->clock_->NowMicros();
  return item;
}

// Spider traps: endless URL spaces that are not content. Guards: URL length,
// a path segment repeated (../a/b/a/b/..), calendar pages far from now.
bool Crawler::Impl::IsTrap(const url::Url& u, const std::string& normalized) const {
  const config::CrawlSettings& s = options_.settings;
  if (normalized.size() > static_cast<size_t>(s.max_url_length)) return true;
  std::map<std::string_view, int> counts;
  std::string_view path = u.path;
  size_t start = 1;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (!seg.empty() && ++counts[seg] > s.max_path_repeats) return true;
    start = end + 1;
  }
  // Calendar guard: a 4-digit year (path segment or query value) more than a
  // year ahead or before 1990 is a calendar walking into nowhere.
  static const int kThisYear = [] {
    time_t now = time(nullptr);
    struct tm tm_utc;
    gmtime_r(&now, &tm_utc);
    return tm_utc.tm_year + 1900;
  }();
  auto check_year = [&](std::string_view text) {
    for (size_t i = 0; i + 4 <= text.size(); ++i) {
      bool boundary_before = i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1]));
      bool boundary_after = i + 4 == text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 4]));
      if (!boundary_before || !boundary_after) continue;
      if (!std::all_of(text.begin() + i, text.begin() + i + 4, ::isdigit)) continue;
      int year = std::stoi(std::string(text.substr(i, 4)));
      if (year >= 1900 && year < 2200 && (year > kThisYear + 1 || year < 1990)) return true;
    }
    return false;
  };
  return check_year(u.path) || check_year(u.query);
}

bool Crawler::Impl::CanDispatchMore() const {
  return !stopping_ && in_flight_ < options_.settings.concurrency && processing_ < max_processing_;
}

void Crawler::Impl::Pump() {
  if (finished_) return;
  const config::CrawlSettings& s = options_.settings;
  if (owner_->stop_requested_.load()) Stop("stopped");
  int64_t now = Mono();
  if (s.max_time_ms > 0 && now - start_us_ >= s.max_time_ms * 1000) Stop("max time");

  int64_t earliest = std::numeric_limits<int64_t>::max();
  for (auto& [origin, host] : hosts_) {
    if (!CanDispatchMore()) break;
    if (frontier_->QueuedFor(origin) == 0) continue;
    if (host.robots == HostState::Robots::kFetching) continue;
    while (CanDispatchMore() && host.in_flight < host.max_connections) {
      if (host.next_allowed_us > now) {
        earliest = std::min(earliest, host.next_allowed_us);
        break;
      }
      const bool robots_due = host.robots == HostState::Robots::kUnknown ||
                              (host.robots != HostState::Robots::kFetching && host.robots_expires_us <= now);
      if (robots_due) {
        if (host.in_flight == 0) FetchRobots(host);  // a refresh waits for the host to be idle
        break;
      }
      if (host.robots == HostState::Robots::kUnavailable) {
        earliest = std::min(earliest, host.robots_expires_us);
        break;
      }
      if (s.max_pages > 0 && dispatched_pages_ >= s.max_pages) {
        Stop("max pages");
        break;
      }
      std::optional<FrontierItem> item = frontier_->Pop(origin);
      if (!item) break;
      FetchRequest req;
      Admission admission = Admit(*item, &req);
      if (admission == Admission::kDrop) {
        frontier_->Done(*item);
        continue;
      }
      if (admission == Admission::kFromArchive) {
        ++processing_;
        asio::post(*workers_, [this, item = std::move(*item)]() mutable {
          Processed result = Relink(std::move(item));
          asio::post(io_, [this, result = std::move(result)]() mutable { OnProcessed(std::move(result)); });
        });
        continue;
      }
      req.url = item->url;
      Dispatch(host, std::move(*item), std::move(req));
    }
  }
  if (earliest != std::numeric_limits<int64_t>::max() && CanDispatchMore()) ArmTimer(earliest - now);
  MaybeFinish();
}

void Crawler::Impl::ArmTimer(int64_t wait_us) {
  if (wake_armed_) return;
  wake_armed_ = true;
  wake_timer_.expires_after(std::chrono::microseconds(std::max<int64_t>(wait_us, 0)));
  wake_timer_.async_wait([this](const boost::system::error_code&) {
    wake_armed_ = false;
    Pump();
  });
}

Crawler::Impl::Admission Crawler::Impl::Admit(FrontierItem& item, FetchRequest* req) {
  const config::CrawlSettings& s = options_.settings;
  auto u = url::Parse(item.url);
  if (!u.ok()) return Admission::kDrop;
  if (item.site < 0) item.site = scope_.SiteForHost(u->host);  // resumed from disk
  if (item.site < 0) {
    ++stats_.out_of_scope;  // the config changed since it was queued
    return Admission::kDrop;
  }
  const HostState& host = hosts_[item.host];
  if (!host.rules.IsAllowed(s.robots_agent, u->PathAndQuery())) {
    ++stats_.robots_denied;
    spdlog::debug("robots.txt disallows {}", item.url);
    if (observer_) observer_->OnRobotsDenied(item.url);
    return Admission::kDrop;
  }
  if (s.max_pages_per_host > 0 && pages_per_host_[item.host] >= s.max_pages_per_host) {
    ++stats_.host_cap;
    return Admission::kDrop;
  }
  auto state = owner_->archive_->GetUrlState(item.url);
  if (state.ok()) {
    // Stored after it was queued: a crawl that was killed after storing
    // the page and before queueing its links. Not fetched again; its links
    // come from the stored capture.
    if (item.enqueued_micros > 0 && state->last_fetched_micros >= item.enqueued_micros) {
      ++stats_.resumed_skipped;
      return Admission::kFromArchive;
    }
    // Articles are revisited with a conditional GET; a 304 costs no
    // extraction. Pages that only lead elsewhere (lists, seeds, feeds) are
    // fetched in full by a one-shot crawl, since their links are what it
    // needs; a daemon's entry points come back on their schedule with the
    // links of the last fetch already queued, so an unchanged one (304)
    // has nothing new to give.
    const bool article = state->latest_version > 0 && item.kind == UrlKind::kPage;
    const bool entry_point = options_.daemon && item.depth == 0;
    if (article || entry_point) {
      req->if_none_match = state->etag;
      req->if_modified_since = state->last_modified;
    }
  }
  return Admission::kFetch;
}

void Crawler::Impl::Dispatch(HostState& host, FrontierItem item, FetchRequest req) {
  ++host.in_flight;
  ++in_flight_;
  ++dispatched_pages_;
  ++pages_per_host_[item.host];
  host.next_allowed_us = Mono() + host.delay_us;
  fetcher_->Fetch(std::move(req), [this, item = std::move(item)](FetchResponse r) mutable {
    OnFetched(std::move(item), std::move(r));
  });
}

void Crawler::Impl::FetchRobots(HostState& host) {
  host.robots = HostState::Robots::kFetching;
  ++host.in_flight;
  ++in_flight_;
  host.next_allowed_us = Mono() + host.delay_us;
  FetchRequest req;
  req.url = host.origin + "/robots.txt";
  std::string origin = host.origin;
  fetcher_->Fetch(std::move(req), [this, origin](FetchResponse r) { OnRobots(origin, std::move(r)); });
}

void Crawler::Impl::OnRobots(const std::string& origin, FetchResponse response) {
  HostState& host = hosts_[origin];
  --host.in_flight;
  --in_flight_;
  ++stats_.requests;
  ++stats_.robots_fetched;
  Observe(origin, response);
  const config::CrawlSettings& s = options_.settings;
  const int64_t now = Mono();
  // The delay counts from the end of this request, like any other.
  host.next_allowed_us = std::max(host.next_allowed_us, now + host.delay_us);
  // RFC 9309 2.3.1: 2xx parse; 4xx allow all; 5xx or unreachable disallow
  // all -- "for a while": the host waits and robots.txt is tried again. A
  // copy fetched before stays in use meanwhile (2.4: a cached copy may be
  // kept while robots.txt is unreachable).
  const bool ok = response.status.ok() && response.http_status >= 200 && response.http_status < 300;
  const bool client_error = response.status.ok() && response.http_status >= 400 && response.http_status < 500;
  if (ok || client_error) {
    host.rules = ok ? RobotsRules::Parse(response.body) : RobotsRules::AllowAll();
    host.have_rules = true;
    host.robots_failures = 0;
    host.robots = HostState::Robots::kReady;
    host.robots_expires_us = now + std::max<int64_t>(s.robots_cache_ttl_ms, 1) * 1000;
  } else {
    ++host.robots_failures;
    const std::string why = response.status.ok() ? "HTTP " + std::to_string(response.http_status)
                                                  : response.status.ToString();
    const double backoff_ms = std::min(static_cast<double>(std::max<int64_t>(s.robots_retry_ms, 1)) *
                                           std::pow(2.0, std::min(host.robots_failures - 1, 20)),
                                       3'600'000.0);
    host.robots_expires_us = now + static_cast<int64_t>(backoff_ms * 1000);
    if (host.have_rules) {
      host.robots = HostState::Robots::kReady;
      spdlog::warn("robots.txt of {} unavailable ({}): keeping the copy fetched before, retry in {:.0f}s",
                   origin, why, backoff_ms / 1000);
    } else if (!options_.daemon && host.robots_failures >= s.robots_max_attempts) {
      host.rules = RobotsRules::DisallowAll();
      host.robots = HostState::Robots::kReady;
      host.robots_expires_us = std::numeric_limits<int64_t>::max();
      spdlog::warn("robots.txt of {} unavailable ({}) {} times: host disallowed for this crawl", origin,
                   why, host.robots_failures);
    } else {
      host.robots = HostState::Robots::kUnavailable;
      spdlog::warn("robots.txt of {} unavailable ({}): host paused, retry in {:.0f}s", origin, why,
                   backoff_ms / 1000);
    }
  }
  if (!s.ignore_crawl_delay) {
    if (auto cd = host.rules.CrawlDelay(s.robots_agent)) {
      int64_t cd_us = static_cast<int64_t>(std::min(*cd * 1e6, s.max_crawl_delay_ms * 1e3));
      host.delay_us = std::max(host.delay_us, cd_us);
    }
  }
  for (const std::string& sitemap : host.rules.sitemaps()) Enqueue(sitemap, UrlKind::kSitemap, 0);
  Pump();
}

bool Crawler::Impl::MaybeRetry(HostState& host, FrontierItem& item, const FetchResponse& response) {
  constexpr int kMaxAttempts = 3;
  bool transient = response.status.IsRetryable() ||
                   (response.status.ok() && (response.http_status == 429 || response.http_status == 503 ||
                                             response.http_status == 502 || response.http_status == 504));
  if (!transient || item.attempts + 1 >= kMaxAttempts || stopping_) return false;
  // Exponential backoff with jitter on the host, at least Retry-After.
  ++host.consecutive_failures;
  double base = std::max<double>(host.delay_us, 500'000) * std::pow(2, host.consecutive_failures - 1);
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  int64_t wait = static_cast<int64_t>(std::min(base * jitter(rng_), 300e6));
  if (response.status.ok()) {
    // Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3), at most 1 h.
    constexpr int64_t kMaxRetryAfterSeconds = 3600;
    std::string retry_after = response.Header("retry-after");
    std::optional<int64_t> seconds;
    int64_t n = 0;
    auto [end, ec] = std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), n);
    if (!retry_after.empty() && end == retry_after.data() + retry_after.size()) {
      seconds = ec == std::errc() ? n : kMaxRetryAfterSeconds;  // out of range: the cap
    } else if (auto date = ParseHttpDate(retry_after)) {
      seconds = *date - owner_->clock_->NowMicros() / 1'000'000;
    }
    if (seconds) {
      wait = std::max<int64_t>(wait, std::clamp<int64_t>(*seconds, 0, kMaxRetryAfterSeconds) * 1'000'000);
    }
  }
  host.next_allowed_us = std::max(host.next_allowed_us, Mono() + wait);
  ++item.attempts;
  ++stats_.retries;
  spdlog::info("retrying {} in {:.1f}s ({})", item.url, wait / 1e6,
               response.status.ok() ? "HTTP " + std::to_string(response.http_status)
                                    : response.status.ToString());
  frontier_->Retry(std::move(item));
  return true;
}

void Crawler::Impl::OnFetched(FrontierItem item, FetchResponse response) {
  HostState& host = hosts_[item.host];
  --host.in_flight;
  --in_flight_;
  ++stats_.requests;
  host.next_allowed_us = std::max(host.next_allowed_us, Mono() + host.delay_us);
  if (response.status.ok()) ++stats_.by_status[response.http_status];
  Observe(item.host, response);
  if (response.status.code() == Status::Code::kCancelled) {
    // Stopped mid-transfer: the item stays in the frontier for the next run.
    Pump();
    return;
  }

  if (MaybeRetry(host, item, response)) {
    Pump();
    return;
  }
  // A body over the cap is still a response: its first max_body bytes are
  // stored as a truncated capture (never extracted), so nothing is lost.
  bool capped = response.status.code() == Status::Code::kResourceExhausted && response.truncated &&
                response.http_status > 0;
  if (capped) spdlog::warn("body capped: {}: {}", item.url, response.status.ToString());
  if (!response.status.ok() && !capped) {
    ++stats_.fetch_errors;
    spdlog::warn("fetch failed: {}: {}", item.url, response.status.ToString());
    if (schedule_ && item.depth == 0) {
      Processed failed;  // entry points keep their schedule through failures
      failed.item = item;
      Reschedule(failed);
    }
    frontier_->Done(item);
    Pump();
    return;
  }
  if (response.http_status == 304) ++stats_.not_modified;
  host.consecutive_failures = 0;
  if (!response.final_url.empty() && response.final_url != item.url) {
    if (auto n = url::NormalizeString(response.final_url, normalize_); n.ok()) frontier_->MarkSeen(*n);
  }
  stats_.bytes += response.body.size();
  bool ok_status = response.http_status >= 200 && response.http_status < 300;
  if (!ok_status) ++stats_.http_errors;
  spdlog::debug("fetched {} {} {} bytes {} ms", item.url, response.http_status, response.body.size(),
                response.elapsed_micros / 1000);
  ++processing_;
  asio::post(*workers_, [this, item = std::move(item), response = std::move(response)]() mutable {
    Process(std::move(item), std::move(response));
  });
}

// Runs on a worker thread: parse one response, then store it.
void Crawler::Impl::Process(FrontierItem item, FetchResponse response) {
  auto p = std::make_unique<PendingStore>();
  storage::Capture& capture = p->capture;
  capture.url = item.url;
  capture.final_url = response.final_url.empty() ? item.url : response.final_url;
  capture.fetched_micros = response.started_micros;
  capture.http_status = response.http_status;
  capture.headers = std::move(response.headers);
  capture.redirect_chain = std::move(response.redirect_chain);
  capture.truncated = response.truncated;
  p->article = Analyze(item, response, capture.final_url, &p->out);
  if (p->article) p->relevance = topics_.Relevance(p->article->title, p->article->body);
  capture.body = std::move(response.body);
  p->out.item = std::move(item);
  SubmitStore(std::move(p));
}

void Crawler::Impl::SubmitStore(std::unique_ptr<PendingStore> p) {
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    store_queue_.push_back(std::move(p));
    if (storing_) return;
    storing_ = true;
  }
  while (true) {
    std::unique_ptr<PendingStore> next;
    {
      std::lock_guard<std::mutex> lock(store_mu_);
      if (store_queue_.empty()) {
        storing_ = false;
        return;
      }
      next = std::move(store_queue_.front());
      store_queue_.pop_front();
    }
    Processed& out = next->out;
    auto stored = owner_->archive_->Store(next->capture, next->article ? &*next->article : nullptr,
                                          next->relevance);
    if (stored.ok()) out.store = *stored;
    else out.store_status = stored.status();
    asio::post(io_, [this, out = std::move(out)]() mutable { OnProcessed(std::move(out)); });
  }
}

// Runs on a worker thread: the links of a page stored by a killed run.
Crawler::Impl::Processed Crawler::Impl::Relink(FrontierItem item) const {
  Processed out;
  out.relinked = true;
  auto capture = owner_->archive_->GetLatestCapture(item.url);
  if (capture.ok()) {
    FetchResponse response;
    response.http_status = capture->http_status;
    response.final_url = capture->final_url;
    response.truncated = capture->truncated;
    response.headers = capture->headers;
    response.content_type = response.Header("content-type");
    response.body = std::move(capture->body);
    Analyze(item, response, capture->final_url, &out);
  } else {
    spdlog::warn("resume: stored capture of {} unreadable ({}); its links are not queued again", item.url,
                 capture.status().ToString());
  }
  out.item = std::move(item);
  return out;
}

std::optional<Article> Crawler::Impl::Analyze(const FrontierItem& item, const FetchResponse& response,
                                              const std::string& final_url, Processed* result) const {
  Processed& out = *result;
  bool ok_status = response.http_status >= 200 && response.http_status < 300 && !response.truncated;
  out.ok_status = ok_status;
  out.http_status = response.http_status;
  std::optional<Article> article;
  if (ok_status && (item.kind != UrlKind::kPage ||
                    parser::LooksLikeFeed(response.body, response.content_type))) {
    out.is_feed = true;
    parser::FeedResult feed = parser::ParseFeed(response.body, final_url, response.content_type);
    for (const auto& sitemap : feed.sitemaps) VetFound(sitemap, UrlKind::kSitemap, item.depth, {}, &out);
    for (const auto& e : feed.entries) VetFound(e.url, UrlKind::kPage, item.depth + 1, e.title, &out);
    for (const auto& w : feed.warnings) spdlog::warn("feed {}: {}", item.url, w);
  } else if (ok_status) {
    parser::ExtractOptions eo;
    const parser::ExtractRules& rules = sites_[item.site].extract;
    if (!rules.body.empty() || !rules.drop.empty() || !rules.title.empty()) eo.rules = &rules;
    // A link met before as written, against a base of the same scope and
    // from the same depth, resolves to a URL vetted then (or left for a
    // shallower page, when too deep from this one): the parser leaves it
    // out unresolved. Nearly all of a site's links are its menus and lists
    // again. Links with rel=nofollow are not followed at all.
    const int link_depth = item.depth + 1;
    eo.link_filter = [this, link_depth](std::string_view scope, std::string_view href, bool nofollow) {
      return !nofollow && link_cache_.Insert(internal::LinkCache::HrefFingerprint(link_depth, scope, href));
    };
    // The site's menus and footers again: a block whose links were taken
    // from another page (as deep or shallower) is parsed empty.
    eo.known_block = [this, link_depth](uint64_t fp) { return block_cache_.Known(fp, link_depth); };
    parser::Page page = parser::ExtractPage(response.body, final_url, response.content_type, eo);
    out.skipped_blocks = page.skipped_blocks;
    for (const auto& f : page.feed_urls) VetFound(f, UrlKind::kFeed, item.depth, {}, &out);
    if (!page.article.canonical_url.empty()) {
      VetFound(page.article.canonical_url, UrlKind::kPage, item.depth, {}, &out);
    }
    const std::string& self = final_url;
    for (const auto& l : page.links) {
      // A link into this page itself ("#comments") is no new page.
      bool same_document = l.url.size() > self.size() && l.url[self.size()] == '#' &&
                           std::string_view(l.url).substr(0, self.size()) == self;
      if (!l.nofollow && !same_document) VetFound(l.url, UrlKind::kPage, item.depth + 1, l.text, &out);
    }
    // Its links are vetted and go to the frontier with this page.
    for (uint64_t fp : page.boiler_blocks) block_cache_.Remember(fp, link_depth);
    for (uint64_t fp : page.unskippable_blocks) block_cache_.Forbid(fp);
    if (page.article.is_article) article = std::move(page.article);
    else out.extraction_failed = scope_.IsArticleUrl(item.site, item.url);
  }
  return article;
}

void Crawler::Impl::OnProcessed(Processed r) {
  --processing_;
  stats_.boiler_blocks_skipped += r.skipped_blocks;
  if (r.relinked) {
    QueueLinksAndFinish(r);
    return;
  }
  if (!r.store_status.ok()) {
    ++stats_.store_errors;
    // The first failure stops the crawl; the pages in flight then fail the
    // same way (a full disk, the archive in read-only error mode): one
    // error line, the rest at debug level.
    if (failure_.ok()) {
      spdlog::error("archive write failed for {}: {}", r.item.url, r.store_status.ToString());
      failure_ = r.store_status.WithContext("archive write failed");
    } else {
      spdlog::debug("archive write failed for {}: {}", r.item.url, r.store_status.ToString());
    }
    Stop("store failed");
    MaybeFinish();
    return;
  }
  using Outcome = storage::StoreResult::Outcome;
  if (r.is_feed) {
    ++stats_.feeds;
  } else if (r.ok_status) {
    ++stats_.pages;
  }
  if (observer_) {
    static const char* kOutcome[] = {"new_article", "new_version", "unchanged", "duplicate", "not_article"};
    std::string site = r.item.site >= 0 ? sites_[r.item.site].name : "";
    observer_->OnStored(site, r.http_status == 304 ? "not_modified"
                                                   : kOutcome[static_cast<int>(r.store.outcome)]);
    if (r.extraction_failed) observer_->OnExtractionFailure(r.item.url);
  }
  Reschedule(r);
  switch (r.store.outcome) {
    case Outcome::kNewArticle: ++stats_.articles_new; break;
    case Outcome::kNewVersion: ++stats_.versions_new; break;
    case Outcome::kUnchanged: ++stats_.unchanged; break;
    case Outcome::kExactDuplicate: ++stats_.duplicates; break;
    case Outcome::kNotArticle: ++stats_.not_articles; break;
  }
  QueueLinksAndFinish(r);
}

void Crawler::Impl::QueueLinksAndFinish(Processed& r) {
  stats_.out_of_scope += r.rejections.out_of_scope;
  stats_.traps += r.rejections.traps;
  // Links and Done together (one batch in a persistent frontier): a crawl
  // killed before fetches nothing twice (the page is stored, see Admit)
  // and loses no link. A stopping crawl queues nothing more; the page
  // stays queued and the next run takes its links from the archive.
  if (!stopping_) {
    std::vector<FrontierItem> items;
    items.reserve(r.candidates.size());
    for (Candidate& c : r.candidates) items.push_back(MakeItem(std::move(c)));
    frontier_->PushAllThenDone(std::move(items), r.item);
  }
  Pump();
}

void Crawler::Impl::Tick() {
  tick_timer_.expires_after(std::chrono::milliseconds(200));
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || finished_) return;
    int64_t now = Mono();
    if (schedule_ && now - last_release_us_ >= 1'000'000) {
      ReleaseDue();
      last_release_us_ = now;
    }
    PublishSnapshot();
    if (observer_) observer_->OnQueueDepth(frontier_->Queued(), schedule_ ? schedule_->size() : 0);
    int64_t report_every = options_.daemon ? 60'000'000 : 10'000'000;
    if (now - last_report_us_ >= report_every) {
      double rate = (stats_.pages - last_report_pages_) / ((now - last_report_us_) / 1e6);
      spdlog::info("progress: {} pages ({:.1f}/s), {} articles, {} queued, {} in flight, {} errors",
                   stats_.pages, rate, stats_.articles_new + stats_.versions_new, frontier_->Queued(),
                   in_flight_, stats_.fetch_errors + stats_.http_errors);
      last_report_us_ = now;
      last_report_pages_ = stats_.pages;
    }
    Pump();
    if (!finished_) Tick();
  });
}

void Crawler::Impl::Stop(const std::string& reason) {
  if (stopping_) return;
  stopping_ = true;
  stats_.stop_reason = reason;
  spdlog::info("crawl stopping: {}; waiting for {} in flight", reason, in_flight_ + processing_);
  // Slow transfers are not waited for: cancelled ones stay queued.
  stop_timer_.expires_after(std::chrono::milliseconds(options_.daemon_settings.stop_timeout_ms));
  stop_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || finished_) return;
    if (in_flight_ > 0) spdlog::warn("cancelling {} transfers still in flight", in_flight_);
    fetcher_->CancelAll();
  });
}

void Crawler::Impl::MaybeFinish() {
  if (finished_ || in_flight_ > 0 || processing_ > 0) return;
  bool work_left = false;
  if (!stopping_) {
    // Work is left if some host has queued URLs (it may be waiting on a delay
    // or on robots.txt). A daemon always has work: the revisit schedule.
    work_left = options_.daemon || frontier_->Queued() > 0;
  }
  if (work_left) return;
  if (stats_.stop_reason.empty()) stats_.stop_reason = "frontier empty";
  finished_ = true;
  wake_timer_.cancel();
  tick_timer_.cancel();
  stop_timer_.cancel();
  io_.stop();
}

}  // namespace jikji::crawler
