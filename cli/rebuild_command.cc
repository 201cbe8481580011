// jikji rebuild: re-runs the current extractor over every stored raw
// capture and stores a new version where the output changed (tagged with
// kExtractorVersion). Resumable (cursor in meta "rebuild.cursor"),
// idempotent (a second run writes nothing), parallel across cores.
//
// Orchestration: the main thread reads captures in key order in batches
// (bounded by kBatchCaptures and kBatchBytes); a batch is split by URL
// over the workers, so one URL's captures are handled in time order by one
// thread; after each batch the cursor (the batch's last key) is written.
// A kill loses at most the batch in flight, which the next run redoes.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <xxhash.h>

#include "cli/archive_util.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "ops/progress.h"
#include "parser/article.h"
#include "parser/extractor.h"
#include "parser/feeds.h"
#include "storage/archive.h"
#include "url/url.h"

namespace jikji::cli {
namespace {

constexpr size_t kBatchCaptures = 512;
constexpr size_t kBatchBytes = 64 << 20;
constexpr const char kCursorName[] = "rebuild.cursor";

struct RebuildFlags {
  int workers = 0;  // 0: hardware concurrency
  bool restart = false;
  ProgressFlags progress;
};

struct Counts {
  std::atomic<uint64_t> pages{0}, changed{0}, unchanged{0}, skipped{0}, failed{0};
};

std::string_view HeaderOf(const storage::Capture& c, std::string_view lower) {
  for (const auto& [name, value] : c.headers) {
    if (name.size() != lower.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(name[i])) == lower[i];
    }
    if (same) return value;
  }
  return {};
}

// Cursor value: be32(extractor version) + capture key.
std::string EncodeCursor(const std::string& key) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(kExtractorVersion >> (24 - 8 * i));
  return out + key;
}

const parser::ExtractRules* RulesFor(const config::Config& cfg, const std::string& url) {
  auto parsed = url::Parse(url);
  if (!parsed.ok()) return nullptr;
  for (const config::SiteConfig& site : cfg.sites) {
    for (const std::string& host : site.hosts) {
      if (host == parsed->host) {
        const parser::ExtractRules& r = site.extract;
        if (r.body.empty() && r.drop.empty() && r.title.empty()) return nullptr;
        return &r;
      }
    }
  }
  return nullptr;
}

// One capture: extract and store. False on a storage error that must stop
// the run (I/O, disk full). `progress` may be null.
bool Process(storage::Archive& archive, const config::Config& cfg,
             const storage::StoredCapture& sc, Counts* counts, ops::Progress* progress, Status* fatal) {
  const storage::Capture& c = sc.capture;
  counts->pages.fetch_add(1);
  const std::string_view content_type = HeaderOf(c, "content-type");
  const bool html_type = content_type.empty() ||
                         content_type.find("html") != std::string_view::npos;
  if (c.http_status < 200 || c.http_status >= 300 || !html_type ||
      parser::LooksLikeFeed(c.body, content_type)) {
    counts->skipped.fetch_add(1);
    return true;
  }
  const std::string& page_url = c.final_url.empty() ? c.url : c.final_url;
  parser::ExtractOptions eo;
  eo.collect_links = false;
  eo.rules = RulesFor(cfg, page_url);
  parser::Page page = parser::ExtractPage(c.body, page_url, content_type, eo);
  auto r = archive.StoreReextracted(sc.key, page.article, kExtractorVersion);
  if (!r.ok()) {
    const Status::Code code = r.status().code();
    if (code == Status::Code::kIOError || code == Status::Code::kResourceExhausted ||
        code == Status::Code::kFailedPrecondition) {
      *fatal = r.status();
      return false;
    }
    counts->failed.fetch_add(1);
    if (progress) progress->Add(0, 1);
    spdlog::warn("rebuild {}: {}", c.url, r.status().ToString());
    return true;
  }
  (r->changed ? counts->changed : counts->unchanged).fetch_add(1);
  return true;
}

int RunRebuild(const GlobalOptions& global, const RebuildFlags& flags) {
  auto cfg = LoadConfigAndLogging(global, /*use_file=*/true);
  if (!cfg.ok()) {
    std::fprintf(stderr, "jikji rebuild: %s\n", cfg.status().ToString().c_str());
    return 2;
  }
  auto opened = OpenExistingArchive(cfg->archive_dir, /*read_only=*/false);
  if (!opened.ok()) {
    std::fprintf(stderr, "jikji rebuild: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  storage::Archive& archive = **opened;
  std::string start_after;
  if (!flags.restart) {
    auto cursor = archive.GetMeta(kCursorName);
    if (cursor.ok() && cursor->size() > 4 &&
        cursor->substr(0, 4) == EncodeCursor("").substr(0, 4)) {
      start_after = cursor->substr(4);
      std::fprintf(stderr, "jikji rebuild: resuming after an interrupted run\n");
    }
  }
  auto stats = archive.GetStats();
  const uint64_t total = stats.ok() ? stats->captures : 0;
  const int workers = flags.workers > 0
                          ? flags.workers
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Progress: captures handled of all captures the archive holds (a resumed
  // run starts past some of them, so its ETA is pessimistic).
  std::optional<ops::Progress> progress;
  if (auto o = ops::ResolveProgressOptions("rebuild", flags.progress.Mode())) {
    progress.emplace(*o, Clock::Default(), ops::Progress::DefaultSink(o->tty));
    progress->SetTotal(static_cast<int64_t>(total));
  }
  ops::Progress* const progress_ptr = progress ? &*progress : nullptr;
  Counts counts;
  Status fatal;
  const auto started = std::chrono::steady_clock::now();

  auto it = archive.NewCaptureIterator(start_after);
  std::vector<storage::StoredCapture> batch;
  uint64_t done_before = 0;
  bool stop = false;
  while (!stop) {
    batch.clear();
    size_t bytes = 0;
    for (; it->Valid() && batch.size() < kBatchCaptures && bytes < kBatchBytes; it->Next()) {
      batch.push_back(it->capture());
      bytes += it->capture().capture.body.size();
    }
    if (!it->status().ok()) {
      fatal = it->status();
      break;
    }
    if (batch.empty()) break;
    // Split by URL: each worker takes the captures whose URL hashes to it,
    // in order.
    std::vector<std::thread> threads;
    std::atomic<bool> failed{false};
    std::vector<Status> worker_status(workers);
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        for (const storage::StoredCapture& sc : batch) {
          if (failed.load()) return;
          const std::string& u = sc.capture.url;
          if (static_cast<int>(XXH3_64bits(u.data(), u.size()) % workers) != w) continue;
          if (!Process(archive, *cfg, sc, &counts, progress_ptr, &worker_status[w])) {
            failed.store(true);
            return;
          }
          if (progress_ptr) progress_ptr->Add(1);
        }
      });
    }
    for (auto& t : threads) t.join();
    for (const Status& s : worker_status) {
      if (!s.ok()) fatal = s;
    }
    if (!fatal.ok()) break;
    Status cursor = archive.PutMeta(kCursorName, EncodeCursor(batch.back().key));
    if (!cursor.ok()) {
      fatal = cursor;
      break;
    }
    done_before += batch.size();
    if (progress && done_before > total) progress->SetTotal(static_cast<int64_t>(done_before));
    stop = !it->Valid();
  }
  if (progress) progress->Finish();
  if (!fatal.ok()) {
    std::fprintf(stderr, "jikji rebuild: stopped: %s (run it again to resume)\n",
                 fatal.ToString().c_str());
    return 1;
  }
  Status cleared = archive.DeleteMeta(kCursorName);
  if (!cleared.ok()) {
    std::fprintf(stderr, "jikji rebuild: %s\n", cleared.ToString().c_str());
    return 1;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "rebuild (extractor v%d): %llu pages, %llu changed, %llu unchanged, %llu skipped (not an "
      "HTML 2xx page), %llu failed in %.2fs (%.0f pages/s, %d workers)\n",
      kExtractorVersion, static_cast<unsigned long long>(counts.pages.load()),
      static_cast<unsigned long long>(counts.changed.load()),
      static_cast<unsigned long long>(counts.unchanged.load()),
      static_cast<unsigned long long>(counts.skipped.load()),
      static_cast<unsigned long long>(counts.failed.load()), secs,
      secs > 0 ? counts.pages.load() / secs : 0.0, workers);
  return counts.failed.load() == 0 ? 0 : 1;
}

}  // namespace

void RegisterRebuild(CLI::App& app, CommandContext ctx) {
  auto flags = std::make_shared<RebuildFlags>();
  CLI::App* cmd = app.add_subcommand(
      "rebuild", "Re-run the current extractor over every stored capture; store changed versions");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_option("--workers", flags->workers, "Extraction threads (default: one per core)");
  cmd->add_flag("--restart", flags->restart, "Ignore the cursor of an interrupted run");
  AddProgressFlags(cmd, &flags->progress);
  cmd->callback([ctx, flags] { *ctx.exit_code = RunRebuild(*ctx.global, *flags); });
}

}  // namespace jikji::cli
