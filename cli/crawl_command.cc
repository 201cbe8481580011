#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "crawler/crawler.h"
#include "ops/progress.h"
#include "storage/archive.h"

namespace jikji::cli {
namespace {

struct CrawlFlags {
  std::vector<std::string> seeds;
  std::optional<int64_t> max_pages;
  std::string max_time;
  std::optional<int> concurrency;
  std::optional<int> per_host_connections;
  std::optional<int64_t> per_host_delay_ms;
  bool ignore_crawl_delay = false;
  std::vector<std::string> resolve;
  std::string user_agent;
  std::optional<int> max_depth;
  std::optional<int> workers;
  ProgressFlags progress;
};

// How often the progress thread reads the crawler's snapshot (which the
// crawl loop itself refreshes 5 times a second).
constexpr auto kProgressPoll = std::chrono::milliseconds(200);

// Feeds the crawler's counters into an ops::Progress from a thread of its
// own while Run() blocks the caller: done = requests made, total = done +
// what the frontier still holds (capped by --max-pages), errors = HTTP
// errors + transport failures.
//
// Thread safety: constructed, finished and destroyed on one thread; its
// own poll thread only reads the crawler's thread-safe Snapshot().
class CrawlProgress {
 public:
  CrawlProgress(const crawler::Crawler* crawler, ops::ProgressOptions options, int64_t max_pages)
      : crawler_(crawler),
        max_pages_(max_pages),
        progress_(options, Clock::Default(), ops::Progress::DefaultSink(options.tty)),
        thread_([this] { Loop(); }) {}

  ~CrawlProgress() { Stop(); }

  // Stops polling and writes the final line from `final_stats`.
  void Finish(const crawler::CrawlStats& final_stats) {
    Stop();
    Update(final_stats);
    progress_.SetTotal(static_cast<int64_t>(final_stats.requests));
    progress_.Finish();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, kProgressPoll);
      if (stop_) break;
      if (crawler_->running()) Update(crawler_->Snapshot());
    }
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void Update(const crawler::CrawlStats& st) {
    int64_t done = static_cast<int64_t>(st.requests);
    int64_t total = done + static_cast<int64_t>(st.queued);
    if (max_pages_ > 0) {
      // At most max_pages - pages more page fetches (plus robots.txt).
      int64_t left = std::max<int64_t>(max_pages_ - static_cast<int64_t>(st.pages), 0);
      total = std::min(total, done + left);
    }
    progress_.SetTotal(total);  // 0 before anything is queued: unknown
    progress_.SetDetail(std::to_string(st.pages) + " pages, " + std::to_string(st.articles_new) + " new");
    progress_.Set(done, static_cast<int64_t>(st.http_errors + st.fetch_errors));
  }

  const crawler::Crawler* crawler_;
  const int64_t max_pages_;
  ops::Progress progress_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;  // last: starts after the members it reads
};

crawler::Crawler* g_crawler = nullptr;

extern "C" void HandleStopSignal(int) {
  // RequestStop only stores to a lock-free atomic: async-signal-safe.
  if (g_crawler) g_crawler->RequestStop();
}

int RunCrawl(const GlobalOptions& global, const CrawlFlags& flags) {
  // `crawl --seed URL` without --config crawls only the seeds (built-in
  // defaults, no configured sites).
  bool use_file = flags.seeds.empty();
  auto cfg = LoadConfigAndLogging(global, use_file);
  if (!cfg.ok()) {
    std::fprintf(stderr, "jikji crawl: %s\n", cfg.status().ToString().c_str());
    return 2;
  }
  crawler::CrawlOptions options;
  options.settings = cfg->crawl;
  options.sites = cfg->sites;
  options.seeds = flags.seeds;
  options.topics = cfg->topics;
  // The frontier lives beside the archive's own files so that a killed
  // crawl resumes with the same --archive.
  options.frontier_dir = (std::filesystem::path(cfg->archive_dir) / "frontier").string();
  config::CrawlSettings& s = options.settings;
  if (flags.max_pages) s.max_pages = *flags.max_pages;
  if (!flags.max_time.empty() && !ParseDurationMillis(flags.max_time, &s.max_time_ms)) {
    std::fprintf(stderr, "jikji crawl: --max-time: expected a duration such as 90s or 10m\n");
    return 2;
  }
  if (flags.concurrency) s.concurrency = *flags.concurrency;
  if (flags.per_host_connections) s.per_host_connections = *flags.per_host_connections;
  if (flags.per_host_delay_ms) s.per_host_delay_ms = *flags.per_host_delay_ms;
  if (flags.ignore_crawl_delay) s.ignore_crawl_delay = true;
  for (const auto& r : flags.resolve) s.resolve.push_back(r);
  if (!flags.user_agent.empty()) s.user_agent = flags.user_agent;
  if (flags.max_depth) s.max_depth = *flags.max_depth;
  if (flags.workers) s.workers = *flags.workers;
  if (s.concurrency < 1 || s.per_host_connections < 1 || s.per_host_delay_ms < 0) {
    std::fprintf(stderr, "jikji crawl: concurrency and connections must be >= 1, delay >= 0\n");
    return 2;
  }
  if (options.sites.empty() && options.seeds.empty()) {
    std::fprintf(stderr, "jikji crawl: nothing to crawl: give --seed URL or a config with sites\n");
    return 2;
  }

  const auto progress_options = ops::ResolveProgressOptions("crawl", flags.progress.Mode());
  const int64_t max_pages = s.max_pages;

  ApplySchedulingPolicy(s);
  auto archive = storage::Archive::Open(cfg->archive_dir);
  if (!archive.ok()) {
    spdlog::error("cannot open archive {}: {}", cfg->archive_dir, archive.status().ToString());
    return 1;
  }
  crawler::Crawler crawler(std::move(options), archive->get());
  g_crawler = &crawler;
  std::signal(SIGINT, HandleStopSignal);
  std::signal(SIGTERM, HandleStopSignal);
  std::optional<CrawlProgress> progress;
  if (progress_options) progress.emplace(&crawler, *progress_options, max_pages);
  auto stats = crawler.Run();
  if (progress) progress->Finish(stats.ok() ? *stats : crawler.Snapshot());
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_crawler = nullptr;
  Status flushed = (*archive)->Flush();
  if (!stats.ok()) {
    spdlog::error("crawl failed: {}", stats.status().ToString());
    return 1;
  }
  if (!flushed.ok()) spdlog::warn("archive flush: {}", flushed.ToString());
  const crawler::CrawlStats& st = *stats;
  double rate = st.seconds > 0 ? st.pages / st.seconds : 0;
  spdlog::info("crawl done ({}): {} requests, {} pages ({:.1f} pages/s), {} feeds/sitemaps, {} new articles, "
               "{} new versions, {} unchanged, {} duplicates, {} not articles, {} robots-denied, "
               "{} HTTP errors, {} fetch errors, {:.1f} MB in {:.1f}s; {} repeated menus/footers not parsed again",
               st.stop_reason, st.requests, st.pages, rate, st.feeds, st.articles_new, st.versions_new,
               st.unchanged, st.duplicates, st.not_articles, st.robots_denied, st.http_errors,
               st.fetch_errors, st.bytes / 1e6, st.seconds, st.boiler_blocks_skipped);
  return 0;
}

}  // namespace

void RegisterCrawl(CLI::App& app, CommandContext ctx) {
  auto flags = std::make_shared<CrawlFlags>();
  CLI::App* cmd = app.add_subcommand(
      "crawl",
      "Crawl the configured sources (or --seed URLs) once, until the frontier is empty or a limit is hit");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_option("--seed", flags->seeds, "Start URL (repeatable); without --config, crawls only the seeds' hosts");
  cmd->add_option("--max-pages", flags->max_pages, "Stop after this many page fetches (0: no limit)");
  cmd->add_option("--max-time", flags->max_time, "Stop after this long, e.g. 90s, 10m (0: no limit)");
  cmd->add_option("--concurrency", flags->concurrency, "Transfers in flight, all hosts together");
  cmd->add_option("--per-host-connections", flags->per_host_connections, "Connections per host");
  cmd->add_option("--per-host-delay", flags->per_host_delay_ms, "Minimum milliseconds between requests to one host");
  cmd->add_flag("--ignore-crawl-delay", flags->ignore_crawl_delay,
                "Ignore robots.txt Crawl-delay (only for benchmarks on your own servers)");
  cmd->add_option("--resolve", flags->resolve,
                  "HOST:PORT:ADDR, pin a host name to an address like curl --resolve (repeatable)");
  cmd->add_option("--user-agent", flags->user_agent, "User-Agent header");
  cmd->add_option("--max-depth", flags->max_depth, "Link hops followed from a seed, feed or sitemap");
  cmd->add_option("--workers", flags->workers, "Extraction threads (0: one per core)");
  AddProgressFlags(cmd, &flags->progress);
  cmd->callback([ctx, flags] { *ctx.exit_code = RunCrawl(*ctx.global, *flags); });
}

}  // namespace jikji::cli
