// jikji daemon: keeps the archive current until stopped. Runs the crawl
// loop in daemon mode (revisit schedule), serves /healthz /readyz /metrics
// /status, stops gracefully on SIGTERM/SIGINT and reloads its config on
// SIGHUP (a bad new config is rejected and the old one kept). Logs a
// progress line once a minute (--progress-interval): requests, rate over
// that minute, errors, queue, schedule, versions stored.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "crawler/crawler.h"
#include "ops/admin_server.h"
#include "ops/daemon_metrics.h"
#include "ops/metrics.h"
#include "ops/progress.h"
#include "storage/archive.h"

namespace jikji::cli {
namespace {

struct DaemonFlags {
  std::vector<std::string> seeds;
  std::string interval;
  std::string admin_listen;
  std::string admin_token_file;
  std::string progress_interval = "60s";
};

// Bounds of --progress-interval.
constexpr int64_t kMinProgressIntervalMs = 1000;
constexpr int64_t kMaxProgressIntervalMs = 24LL * 3600 * 1000;

// Counters of the crawl loops that ended (a SIGHUP starts a new loop whose
// own counters start at zero), so the progress line keeps counting.
struct Totals {
  uint64_t requests = 0, errors = 0, versions = 0, not_modified = 0;
  void Add(const crawler::CrawlStats& s) {
    requests += s.requests;
    errors += s.http_errors + s.fetch_errors;
    versions += s.articles_new + s.versions_new;
    not_modified += s.not_modified;
  }
};

// Crawl events into Prometheus metrics. Called on the crawl loop's thread
// only, so the handle caches need no lock.
class MetricsObserver : public crawler::CrawlObserver {
 public:
  explicit MetricsObserver(ops::DaemonMetrics* m) : m_(m) {}

  void OnFetch(const std::string& host, const std::string& status, uint64_t bytes, double seconds) override {
    auto key = host + '\n' + status;
    auto it = fetches_.find(key);
    if (it == fetches_.end()) {
      auto handle = m_->fetches->Labels({host, status});
      if (!handle.ok()) return;  // series cap reached: counted nowhere rather than crash
      it = fetches_.emplace(key, *handle).first;
    }
    it->second.Inc();
    m_->fetch_bytes.Inc(bytes);
    m_->fetch_duration.Observe(seconds);
  }

  void OnRobotsDenied(const std::string&) override { m_->robots_denied.Inc(); }
  void OnExtractionFailure(const std::string&) override { m_->extraction_failures.Inc(); }

  void OnStored(const std::string& site, const std::string& outcome) override {
    if (outcome == "new_article" || outcome == "new_version") m_->versions_stored.Inc();
    if (outcome == "duplicate" || outcome == "unchanged" || outcome == "not_modified") {
      Kind(outcome == "duplicate" ? "exact" : outcome).Inc();
    }
    if (!site.empty()) {
      auto it = last_success_.find(site);
      if (it == last_success_.end()) {
        auto handle = m_->last_success->Labels({site});
        if (!handle.ok()) return;
        it = last_success_.emplace(site, *handle).first;
      }
      it->second.Set(static_cast<double>(std::time(nullptr)));
    }
  }

  void OnQueueDepth(uint64_t queued, uint64_t) override { m_->queue_depth.Set(static_cast<double>(queued)); }

 private:
  ops::Counter Kind(const std::string& kind) {
    auto it = duplicates_.find(kind);
    if (it == duplicates_.end()) it = duplicates_.emplace(kind, *m_->duplicates->Labels({kind})).first;
    return it->second;
  }

  ops::DaemonMetrics* m_;
  std::map<std::string, ops::Counter> fetches_;
  std::map<std::string, ops::Counter> duplicates_;
  std::map<std::string, ops::Gauge> last_success_;
};

nlohmann::json StatsJson(const crawler::CrawlStats& s) {
  return {{"uptime_seconds", s.seconds}, {"requests", s.requests},       {"pages", s.pages},
          {"feeds", s.feeds},            {"articles_new", s.articles_new}, {"versions_new", s.versions_new},
          {"unchanged", s.unchanged},    {"not_modified", s.not_modified}, {"duplicates", s.duplicates},
          {"robots_denied", s.robots_denied}, {"http_errors", s.http_errors},
          {"fetch_errors", s.fetch_errors},   {"queued", s.queued},        {"scheduled", s.scheduled}};
}

// Applies the daemon's flags on top of a loaded config.
Status ApplyFlags(const DaemonFlags& flags, config::Config* cfg) {
  if (!flags.interval.empty() && !ParseDurationMillis(flags.interval, &cfg->daemon.interval_ms)) {
    return Status::InvalidArgument("--interval: expected a duration such as 10m");
  }
  if (!flags.admin_listen.empty()) cfg->daemon.admin_listen = flags.admin_listen;
  if (!flags.admin_token_file.empty()) cfg->daemon.admin_token_file = flags.admin_token_file;
  return Status::Ok();
}

Result<std::string> ReadToken(const std::string& path) {
  if (path.empty()) return std::string();
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read admin token file " + path);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.empty()) return Status::InvalidArgument("admin token file " + path + " is empty");
  return token;
}

int RunDaemon(const GlobalOptions& global, const DaemonFlags& flags) {
  // Signals are taken by one thread with sigwait; block them everywhere
  // else (threads created later inherit this mask).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto loaded = LoadConfigAndLogging(global, /*use_file=*/flags.seeds.empty());
  if (!loaded.ok()) {
    std::fprintf(stderr, "jikji daemon: %s\n", loaded.status().ToString().c_str());
    return 2;
  }
  config::Config cfg = std::move(*loaded);
  if (Status s = ApplyFlags(flags, &cfg); !s.ok()) {
    std::fprintf(stderr, "jikji daemon: %s\n", s.ToString().c_str());
    return 2;
  }
  if (cfg.sites.empty() && flags.seeds.empty()) {
    std::fprintf(stderr, "jikji daemon: nothing to crawl: give --seed URL or a config with sites\n");
    return 2;
  }
  int64_t progress_interval_ms = 0;
  if (!ParseDurationMillis(flags.progress_interval, &progress_interval_ms) ||
      progress_interval_ms < kMinProgressIntervalMs || progress_interval_ms > kMaxProgressIntervalMs) {
    std::fprintf(stderr, "jikji daemon: --progress-interval: expected a duration from 1s to 24h, such as 60s\n");
    return 2;
  }
  auto token = ReadToken(cfg.daemon.admin_token_file);
  if (!token.ok()) {
    std::fprintf(stderr, "jikji daemon: %s\n", token.status().ToString().c_str());
    return 2;
  }
  ApplySchedulingPolicy(cfg.crawl);
  // The archive's lock makes this the only daemon (or crawl) on it.
  auto archive = storage::Archive::Open(cfg.archive_dir);
  if (!archive.ok()) {
    spdlog::error("cannot open archive {}: {}", cfg.archive_dir, archive.status().ToString());
    return 1;
  }

  ops::MetricsRegistry registry;
  auto metrics = ops::DaemonMetrics::Register(&registry, "0.1.0", cfg.archive_dir);
  if (!metrics.ok()) {
    spdlog::error("metrics: {}", metrics.status().ToString());
    return 1;
  }
  metrics->up.Set(1);
  metrics->start_time.Set(static_cast<double>(std::time(nullptr)));
  MetricsObserver observer(&*metrics);

  std::mutex mu;
  crawler::Crawler* current = nullptr;      // guarded by mu
  std::optional<config::Config> pending;    // a reloaded config; guarded by mu
  bool stop = false;                        // guarded by mu
  Totals finished;                          // loops that ended; guarded by mu
  std::atomic<bool> done{false};

  // The per-minute line, rendered by the signal thread when its wait for a
  // signal times out; always a log line (the daemon is not interactive).
  ops::ProgressOptions progress_options;
  progress_options.label = "daemon";
  progress_options.tty = false;
  // Lines come only from RenderNow(), on the signal thread's timer; Set()
  // must not draw one of its own.
  progress_options.log_interval_micros = std::numeric_limits<int64_t>::max() / 2;
  progress_options.recent_rate = true;
  ops::Progress progress(progress_options, Clock::Default(), ops::Progress::DefaultSink(false));
  uint64_t last_queued = 0, last_scheduled = 0;  // between loops: the last ones seen
  auto render_progress = [&] {
    Totals t;
    crawler::CrawlStats now;
    {
      std::lock_guard<std::mutex> lock(mu);
      t = finished;
      if (current) now = current->Snapshot();
      if (current && current->running()) {
        last_queued = now.queued;
        last_scheduled = now.scheduled;
      }
    }
    t.Add(now);
    progress.SetDetail("queue " + std::to_string(last_queued) + ", scheduled " + std::to_string(last_scheduled) +
                       ", " + std::to_string(t.versions) + " versions stored, " + std::to_string(t.not_modified) +
                       " not modified");
    progress.Set(static_cast<int64_t>(t.requests), static_cast<int64_t>(t.errors));
    progress.RenderNow();
    // A log file is flushed on warnings only; the periodic line also
    // pushes out whatever info lines are buffered, so `tail -f` lags at
    // most one interval.
    spdlog::default_logger()->flush();
  };

  ops::AdminServerOptions admin_options;
  admin_options.listen = cfg.daemon.admin_listen;
  admin_options.bearer_token = *token;
  admin_options.metrics = &registry;
  admin_options.ready = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return current != nullptr && current->running();
  };
  admin_options.status = [&] {
    std::lock_guard<std::mutex> lock(mu);
    nlohmann::json j = {{"archive", cfg.archive_dir}, {"running", current != nullptr}};
    if (current) j["crawl"] = StatsJson(current->Snapshot());
    return j;
  };
  auto admin = ops::AdminServer::Start(admin_options);
  if (!admin.ok()) {
    spdlog::error("admin server on {}: {}", cfg.daemon.admin_listen, admin.status().ToString());
    return 1;
  }
  spdlog::info("daemon: archive {}, {} sites, admin on port {}", cfg.archive_dir, cfg.sites.size(),
               (*admin)->port());

  const std::string archive_dir = cfg.archive_dir;
  std::string config_path = global.config_path.empty() ? "config/jikji.toml" : global.config_path;
  bool reloadable = global.config_given || flags.seeds.empty();
  std::thread signal_thread([&] {
    const auto interval = std::chrono::milliseconds(progress_interval_ms);
    auto next_line = std::chrono::steady_clock::now() + interval;
    while (!done.load()) {
      // Wait for a signal until the next progress line is due.
      auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(next_line - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        render_progress();
        next_line = std::chrono::steady_clock::now() + interval;  // no burst after a suspend
        continue;
      }
      timespec timeout;
      timeout.tv_sec = static_cast<time_t>(left.count() / 1'000'000'000);
      timeout.tv_nsec = static_cast<long>(left.count() % 1'000'000'000);
      int sig = sigtimedwait(&signals, nullptr, &timeout);
      if (sig < 0 || done.load()) continue;  // timeout (EAGAIN) or EINTR
      if (sig == SIGHUP) {
        if (!reloadable) {
          spdlog::warn("SIGHUP: running without a config file; nothing to reload");
          continue;
        }
        auto fresh = config::LoadConfig(config_path);
        Status applied = fresh.ok() ? ApplyFlags(flags, &*fresh) : fresh.status();
        if (!applied.ok()) {
          spdlog::error("SIGHUP: config rejected, keeping the old one: {}", applied.ToString());
          if (auto c = metrics->config_reloads->Labels({"error"}); c.ok()) c->Inc();
          continue;
        }
        fresh->archive_dir = archive_dir;  // the open archive stays the archive
        spdlog::info("SIGHUP: config reloaded from {}", config_path);
        if (auto c = metrics->config_reloads->Labels({"ok"}); c.ok()) c->Inc();
        std::lock_guard<std::mutex> lock(mu);
        pending = std::move(*fresh);
        if (current) current->RequestStop();
      } else {
        spdlog::info("{}: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        std::lock_guard<std::mutex> lock(mu);
        stop = true;
        if (current) current->RequestStop();
      }
    }
  });

  int exit_code = 0;
  while (true) {
    crawler::CrawlOptions options;
    options.settings = cfg.crawl;
    options.sites = cfg.sites;
    options.seeds = flags.seeds;
    options.topics = cfg.topics;
    options.frontier_dir = (std::filesystem::path(cfg.archive_dir) / "frontier").string();
    options.schedule_dir = (std::filesystem::path(cfg.archive_dir) / "schedule").string();
    options.daemon = true;
    options.daemon_settings = cfg.daemon;
    options.observer = &observer;
    crawler::Crawler crawler(std::move(options), archive->get());
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stop) break;
      current = &crawler;
      if (pending) crawler.RequestStop();  // reloaded while starting
    }
    auto stats = crawler.Run();
    std::optional<config::Config> next;
    {
      std::lock_guard<std::mutex> lock(mu);
      current = nullptr;
      if (stats.ok()) finished.Add(*stats);  // with current: the progress line never dips
      next.swap(pending);
      if (stop) next.reset();
    }
    if (!stats.ok()) {
      spdlog::error("daemon: crawl loop failed: {}", stats.status().ToString());
      if (auto c = metrics->crawl_runs->Labels({"error"}); c.ok()) c->Inc();
      exit_code = 1;
      break;
    }
    if (auto c = metrics->crawl_runs->Labels({"ok"}); c.ok()) c->Inc();
    if (!next) break;
    cfg = std::move(*next);  // a new loop on the new config; the frontier carries over
  }
  Status flushed = (*archive)->Flush();
  if (!flushed.ok()) spdlog::warn("archive flush: {}", flushed.ToString());
  metrics->up.Set(0);
  (*admin)->Stop();
  done.store(true);
  pthread_kill(signal_thread.native_handle(), SIGTERM);  // wake sigwait
  signal_thread.join();
  render_progress();
  spdlog::info("daemon stopped");
  return exit_code;
}

}  // namespace

void RegisterDaemon(CLI::App& app, CommandContext ctx) {
  auto flags = std::make_shared<DaemonFlags>();
  CLI::App* cmd = app.add_subcommand(
      "daemon", "Keep the archive current until stopped: scheduled recrawls, adaptive revisits, admin HTTP");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_option("--seed", flags->seeds, "Start URL (repeatable); without --config, only the seeds' hosts");
  cmd->add_option("--interval", flags->interval, "How often entry points are fetched again, e.g. 10m");
  cmd->add_option("--admin-listen", flags->admin_listen, "ADDR:PORT of the admin server (default 127.0.0.1:9310)");
  cmd->add_option("--admin-token-file", flags->admin_token_file,
                  "File with a bearer token required for /metrics and /status");
  cmd->add_option("--progress-interval", flags->progress_interval,
                  "How often to log a progress line (requests, rate, errors, queue), default 60s");
  cmd->callback([ctx, flags] { *ctx.exit_code = RunDaemon(*ctx.global, *flags); });
}

}  // namespace jikji::cli
