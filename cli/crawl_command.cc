#include <csignal>
#include <cstdio>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/logging.h"
#include "crawler/crawler.h"
#include "storage/archive.h"

namespace jikji::cli {
namespace {

constexpr const char* kDefaultConfig = "config/jikji.toml";

crawler::Crawler* g_crawler = nullptr;

extern "C" void HandleStopSignal(int) {
  // RequestStop only stores to a lock-free atomic: async-signal-safe.
  if (g_crawler) g_crawler->RequestStop();
}

}  // namespace

Result<config::Config> LoadConfigAndLogging(const GlobalOptions& global, bool use_file) {
  config::Config cfg;
  std::string path = global.config_path.empty() ? kDefaultConfig : global.config_path;
  if (global.config_given || (use_file && std::filesystem::exists(path))) {
    auto loaded = config::LoadConfig(path);
    if (!loaded.ok()) return loaded.status();
    cfg = std::move(*loaded);
  }
  if (!global.archive_dir.empty()) cfg.archive_dir = global.archive_dir;
  if (!global.log_level.empty()) cfg.log.level = global.log_level;
  if (!global.log_format.empty()) cfg.log.format = global.log_format;
  Status log_status = SetupLogging(cfg.log.level, cfg.log.format, cfg.log.file);
  if (!log_status.ok()) return log_status;
  return cfg;
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

  auto archive = storage::Archive::Open(cfg->archive_dir);
  if (!archive.ok()) {
    spdlog::error("cannot open archive {}: {}", cfg->archive_dir, archive.status().ToString());
    return 1;
  }
  crawler::Crawler crawler(std::move(options), archive->get());
  g_crawler = &crawler;
  std::signal(SIGINT, HandleStopSignal);
  std::signal(SIGTERM, HandleStopSignal);
  auto stats = crawler.Run();
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
               "{} HTTP errors, {} fetch errors, {:.1f} MB in {:.1f}s",
               st.stop_reason, st.requests, st.pages, rate, st.feeds, st.articles_new, st.versions_new,
               st.unchanged, st.duplicates, st.not_articles, st.robots_denied, st.http_errors,
               st.fetch_errors, st.bytes / 1e6, st.seconds);
  return 0;
}

}  // namespace jikji::cli
