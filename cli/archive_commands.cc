// export and stats: read-only commands over an archive. Export formats and
// filters: docs/export.md.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/archive_util.h"
#include "cli/article_json.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "ops/progress.h"
#include "storage/archive.h"
#include "url/url.h"
#include "warc/warc.h"

namespace jikji::cli {
namespace {

struct ExportFlags {
  std::string format = "jsonl";
  std::string out;  // empty: stdout (jsonl only)
  bool all_versions = false;
  bool include_aliases = false;
  bool collapse_near = false;
  std::string since, until;
  std::string time_field = "fetched";
  std::string site;
  double min_relevance = -std::numeric_limits<double>::infinity();
  std::string changed_since;  // cursor; empty: not an incremental export
  std::string cursor_out;
  ProgressFlags progress;
};

// Export progress on stderr: records scanned (rows written or filtered
// out) of `total` (0: unknown). Null when not shown: --no-progress, or by
// default without a terminal, or when the rows themselves go to a terminal.
std::unique_ptr<ops::Progress> MakeExportProgress(const ExportFlags& flags, int64_t total) {
  ops::ProgressMode mode = flags.progress.Mode();
  if (mode == ops::ProgressMode::kAuto && flags.out.empty() && ::isatty(STDOUT_FILENO) == 1) {
    mode = ops::ProgressMode::kOff;
  }
  auto options = ops::ResolveProgressOptions("export", mode);
  if (!options) return nullptr;
  auto p = std::make_unique<ops::Progress>(*options, Clock::Default(), ops::Progress::DefaultSink(options->tty));
  p->SetTotal(total);
  return p;
}

// A file written under NAME.partial and renamed on Commit(), so a reader
// never sees half an export.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".partial") {
    file_.open(tmp_, std::ios::binary | std::ios::trunc);
  }
  ~AtomicFile() {
    if (!committed_) {
      file_.close();
      std::error_code ec;
      std::filesystem::remove(tmp_, ec);
    }
  }
  bool ok() const { return static_cast<bool>(file_); }
  std::ostream* stream() { return &file_; }
  Status Commit() {
    file_.flush();
    if (!file_) return Status::IOError("write failed for " + tmp_ + " (disk full?)");
    file_.close();
    std::error_code ec;
    std::filesystem::rename(tmp_, path_, ec);
    if (ec) return Status::IOError("cannot rename to " + path_ + ": " + ec.message());
    committed_ = true;
    return Status::Ok();
  }
  const std::string& tmp_path() const { return tmp_; }

 private:
  std::string path_, tmp_;
  std::ofstream file_;
  bool committed_ = false;
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

std::string SurtOf(const std::string& url) {
  auto parsed = url::Parse(url);
  if (!parsed.ok()) return url;
  return url::SurtKey(*parsed);
}

std::string CdxjPathFor(const std::string& warc_path) {
  std::string base = warc_path;
  for (const char* suffix : {".warc.gz", ".warc"}) {
    if (base.size() > std::strlen(suffix) && base.ends_with(suffix)) {
      base.resize(base.size() - std::strlen(suffix));
      break;
    }
  }
  return base + ".cdxj";
}

// WARC: every capture in the window as request + response (or revisit when
// the same URL's previous capture had the same body) + metadata records.
int ExportWarc(storage::Archive& archive, const ExportFlags& flags, int64_t since, int64_t until) {
  if (flags.out.empty()) {
    std::fprintf(stderr, "jikji export: --format warc needs --out FILE.warc.gz\n");
    return 2;
  }
  const std::string cdxj_path = CdxjPathFor(flags.out);
  AtomicFile warc_file(flags.out);
  AtomicFile cdxj_file(cdxj_path);
  if (!warc_file.ok() || !cdxj_file.ok()) {
    std::fprintf(stderr, "jikji export: cannot write %s\n", flags.out.c_str());
    return 1;
  }
  const std::string filename = std::filesystem::path(flags.out).filename().string();
  warc::WarcWriter writer(warc_file.stream());
  std::ostream& cdxj = *cdxj_file.stream();
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "jikji export: %s\n", s.ToString().c_str());
    return 1;
  };
  const std::string info = "software: jikji/0.1.0\r\nformat: WARC File Format 1.1\r\n"
                           "conformsTo: http://iipc.github.io/warc-specifications/"
                           "specifications/warc-format/warc-1.1/\r\n";
  auto wi = writer.Write("warcinfo", Clock::Default()->NowMicros(), {{"WARC-Filename", filename}},
                         "application/warc-fields", info);
  if (!wi.ok()) return fail(wi.status());

  std::string prev_url, prev_raw, prev_id, prev_date;
  uint64_t records = 0, captures = 0;
  // Every capture is visited (the filters skip some): the archive's capture
  // counter is the total.
  auto stats = archive.GetStats();
  auto progress = MakeExportProgress(flags, stats.ok() ? static_cast<int64_t>(stats->captures) : 0);
  auto it = archive.NewCaptureIterator();
  for (; it->Valid(); it->Next()) {
    if (progress) progress->Add(1);
    const storage::StoredCapture& sc = it->capture();
    const storage::Capture& c = sc.capture;
    if (c.fetched_micros < since || c.fetched_micros >= until) continue;
    if (!flags.site.empty() && sc.site != flags.site) continue;
    const std::string& target = c.final_url.empty() ? c.url : c.final_url;
    const std::string date = warc::WarcDate(c.fetched_micros);
    const std::string payload_digest = warc::Sha1Digest(c.body);
    const bool revisit = target == prev_url && sc.raw_hash == prev_raw;
    warc::Fields fields = {{"WARC-Target-URI", target}, {"WARC-Payload-Digest", payload_digest}};
    if (revisit) {
      fields.push_back({"WARC-Profile",
                        "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"});
      fields.push_back({"WARC-Refers-To-Target-URI", prev_url});
      fields.push_back({"WARC-Refers-To-Date", prev_date});
      fields.push_back({"WARC-Refers-To", prev_id});
    }
    Result<warc::RecordLocation> main =
        revisit ? writer.Write("revisit", c.fetched_micros, fields, "application/http; msgtype=response",
                               warc::HttpResponseHead(c.http_status, c.headers, c.body.size()))
                : writer.Write("response", c.fetched_micros, fields, "application/http; msgtype=response",
                               warc::HttpResponseBlock(c.http_status, c.headers, c.body));
    if (!main.ok()) return fail(main.status());
    ++records;
    if (!revisit) {
      prev_id = main->record_id;
      prev_date = date;
    }
    prev_url = target;
    prev_raw = sc.raw_hash;
    const std::string request = warc::HttpRequestBlock(target, "");
    if (!request.empty()) {
      auto r = writer.Write("request", c.fetched_micros,
                            {{"WARC-Target-URI", target}, {"WARC-Concurrent-To", main->record_id}},
                            "application/http; msgtype=request", request);
      if (!r.ok()) return fail(r.status());
      ++records;
    }
    std::string meta = "fetched-url: " + c.url + "\r\n";
    for (const std::string& hop : c.redirect_chain) meta += "via: " + hop + "\r\n";
    if (c.truncated) meta += "truncated: length\r\n";
    meta += "body-length: " + std::to_string(c.body.size()) + "\r\n";
    bool clean = meta.find('\0') == std::string::npos;
    if (clean) {
      auto m = writer.Write("metadata", c.fetched_micros,
                            {{"WARC-Target-URI", target}, {"WARC-Concurrent-To", main->record_id}},
                            "application/warc-fields", meta);
      if (!m.ok()) return fail(m.status());
      ++records;
    }
    std::string mime(HeaderOf(c, "content-type"));
    if (size_t semi = mime.find(';'); semi != std::string::npos) mime.resize(semi);
    while (!mime.empty() && mime.back() == ' ') mime.pop_back();
    cdxj << warc::CdxjLine(SurtOf(target), c.fetched_micros, target, revisit ? "warc/revisit" : mime,
                           c.http_status, std::string_view(payload_digest).substr(5), *main,
                           filename);
    ++captures;
  }
  if (!it->status().ok()) return fail(it->status());
  Status s = warc_file.Commit();
  if (s.ok()) s = cdxj_file.Commit();
  if (!s.ok()) return fail(s);
  if (progress) progress->Finish();
  spdlog::info("exported {} captures as {} WARC records to {} (index {})", captures, records,
               flags.out, cdxj_path);
  return 0;
}

int RunExport(const GlobalOptions& global, const ExportFlags& flags) {
  auto cfg = LoadConfigAndLogging(global, /*use_file=*/true);
  if (!cfg.ok()) {
    std::fprintf(stderr, "jikji export: %s\n", cfg.status().ToString().c_str());
    return 2;
  }
  int64_t since = INT64_MIN, until = INT64_MAX;
  if (!flags.since.empty() && !ParseTimeMicros(flags.since, &since)) {
    std::fprintf(stderr, "jikji export: --since: expected a date like 2024-05-01 or 2024-05-01T09:00:00+09:00\n");
    return 2;
  }
  if (!flags.until.empty() && !ParseTimeMicros(flags.until, &until)) {
    std::fprintf(stderr, "jikji export: --until: expected a date like 2024-05-01 or 2024-05-01T09:00:00+09:00\n");
    return 2;
  }
  uint64_t after_sequence = 0;
  if (!flags.changed_since.empty()) {
    try {
      size_t used = 0;
      after_sequence = std::stoull(flags.changed_since, &used);
      if (used != flags.changed_since.size()) throw std::invalid_argument("junk");
    } catch (const std::exception&) {
      std::fprintf(stderr, "jikji export: --changed-since: expected a cursor (a number) as printed by a previous export\n");
      return 2;
    }
  }
  auto archive = OpenExistingArchive(cfg->archive_dir, /*read_only=*/true);
  if (!archive.ok()) {
    std::fprintf(stderr, "jikji export: %s\n", archive.status().ToString().c_str());
    return 1;
  }
  if (flags.format == "warc") return ExportWarc(**archive, flags, since, until);

  // The cursor is read before the scan; rows written after it are left for
  // the next export, so a feed sees every version exactly once.
  Result<uint64_t> last = (*archive)->LastSequence();
  if (!last.ok()) {
    std::fprintf(stderr, "jikji export: %s\n", last.status().ToString().c_str());
    return 1;
  }
  const bool incremental = !flags.changed_since.empty();
  storage::ArticleScan scan;
  scan.all_versions = flags.all_versions;
  scan.include_aliases = flags.include_aliases;
  scan.site = flags.site;
  scan.changes = incremental;
  scan.after_sequence = after_sequence;
  if (flags.time_field == "fetched") {
    scan.since_fetched_micros = since;
    scan.until_fetched_micros = until;
  }
  std::unique_ptr<AtomicFile> file;
  std::ostream* out = &std::cout;
  if (!flags.out.empty()) {
    file = std::make_unique<AtomicFile>(flags.out);
    if (!file->ok()) {
      std::fprintf(stderr, "jikji export: cannot write %s.partial\n", flags.out.c_str());
      return 1;
    }
    out = file->stream();
  }
  // The total is known from the archive's counters when the scan visits
  // whole sets (the row filters after it only skip); with a fetched-time
  // window or a change cursor it is not.
  int64_t total = 0;
  const bool windowed = flags.time_field == "fetched" && (since != INT64_MIN || until != INT64_MAX);
  if (!incremental && !windowed) {
    if (auto stats = (*archive)->GetStats(); stats.ok()) {
      if (flags.site.empty()) {
        total = static_cast<int64_t>(flags.all_versions ? stats->versions : stats->articles);
        if (flags.include_aliases) total += static_cast<int64_t>(stats->duplicates);
      } else if (auto site = stats->by_site.find(flags.site);
                 site != stats->by_site.end() && !flags.include_aliases) {
        total = static_cast<int64_t>(flags.all_versions ? site->second.versions : site->second.articles);
      }
    }
  }
  auto progress = MakeExportProgress(flags, total);
  uint64_t rows = 0;
  auto it = (*archive)->NewArticleIterator(scan);
  for (; it->Valid(); it->Next()) {
    if (progress) progress->Add(1);
    const storage::ArticleRecord& r = it->record();
    if (incremental && r.sequence > *last) continue;
    if (r.relevance < flags.min_relevance) continue;
    if (flags.collapse_near && !r.near_duplicate_of.empty()) continue;
    if (flags.time_field == "published" && (since != INT64_MIN || until != INT64_MAX)) {
      int64_t published = 0;
      if (!ParseTimeMicros(r.article.published, &published)) continue;
      if (published < since || published >= until) continue;
    }
    *out << RecordToJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    ++rows;
  }
  if (!it->status().ok()) {
    std::fprintf(stderr, "jikji export: %s\n", it->status().ToString().c_str());
    return 1;
  }
  out->flush();
  if (!*out) {
    std::fprintf(stderr, "jikji export: write failed (disk full?)\n");
    return 1;
  }
  if (file) {
    Status s = file->Commit();
    if (!s.ok()) {
      std::fprintf(stderr, "jikji export: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  const std::string cursor = std::to_string(std::max(*last, after_sequence));
  if (!flags.cursor_out.empty()) {
    AtomicFile cursor_file(flags.cursor_out);
    *cursor_file.stream() << cursor << '\n';
    Status s = cursor_file.Commit();
    if (!s.ok()) {
      std::fprintf(stderr, "jikji export: %s\n", s.ToString().c_str());
      return 1;
    }
  } else if (incremental) {
    if (progress) progress->Finish();
    progress.reset();
    std::fprintf(stderr, "next cursor: %s\n", cursor.c_str());
  }
  if (progress) progress->Finish();
  spdlog::info("exported {} rows", rows);
  return 0;
}

int RunStats(const GlobalOptions& global, bool json) {
  auto cfg = LoadConfigAndLogging(global, /*use_file=*/true);
  if (!cfg.ok()) {
    std::fprintf(stderr, "jikji stats: %s\n", cfg.status().ToString().c_str());
    return 2;
  }
  auto archive = OpenExistingArchive(cfg->archive_dir, /*read_only=*/true);
  if (!archive.ok()) {
    std::fprintf(stderr, "jikji stats: %s\n", archive.status().ToString().c_str());
    return 1;
  }
  auto stats = (*archive)->GetStats();
  if (!stats.ok()) {
    std::fprintf(stderr, "jikji stats: %s\n", stats.status().ToString().c_str());
    return 1;
  }
  const storage::ArchiveStats& s = *stats;
  if (json) {
    nlohmann::ordered_json j;
    j["archive"] = cfg->archive_dir;
    j["urls"] = s.urls;
    j["captures"] = s.captures;
    j["raw_bodies"] = s.raw_bodies;
    j["articles"] = s.articles;
    j["versions"] = s.versions;
    j["duplicates"] = s.duplicates;
    nlohmann::ordered_json sites = nlohmann::ordered_json::object();
    for (const auto& [site, ss] : s.by_site) {
      sites[site] = {{"urls", ss.urls}, {"articles", ss.articles}, {"versions", ss.versions}};
    }
    j["by_site"] = sites;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("archive     %s\n", cfg->archive_dir.c_str());
  std::printf("urls        %llu\n", static_cast<unsigned long long>(s.urls));
  std::printf("captures    %llu\n", static_cast<unsigned long long>(s.captures));
  std::printf("raw bodies  %llu\n", static_cast<unsigned long long>(s.raw_bodies));
  std::printf("articles    %llu\n", static_cast<unsigned long long>(s.articles));
  std::printf("versions    %llu\n", static_cast<unsigned long long>(s.versions));
  std::printf("duplicates  %llu\n", static_cast<unsigned long long>(s.duplicates));
  std::printf("\n%-32s %8s %8s %8s\n", "site", "urls", "articles", "versions");
  for (const auto& [site, ss] : s.by_site) {
    std::printf("%-32s %8llu %8llu %8llu\n", site.c_str(), static_cast<unsigned long long>(ss.urls),
                static_cast<unsigned long long>(ss.articles), static_cast<unsigned long long>(ss.versions));
  }
  return 0;
}

}  // namespace

void RegisterExport(CLI::App& app, CommandContext ctx) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write the clean corpus as JSON Lines (docs/export.md), or the captures as WARC");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_option("--format", flags->format, "jsonl (default) or warc (WARC/1.1 + CDXJ index)")
      ->check(CLI::IsMember({"jsonl", "warc"}));
  cmd->add_option("--out", flags->out,
                  "Output file (default: standard output; required for warc: FILE.warc.gz, "
                  "index FILE.cdxj beside it)");
  cmd->add_flag("--all-versions", flags->all_versions, "One row per version, not only the latest");
  cmd->add_flag("--include-aliases", flags->include_aliases,
                "Also a row per exact-duplicate alias (duplicate_of set)");
  cmd->add_flag("--collapse-near", flags->collapse_near,
                "Leave out rows with near_duplicate_of set");
  cmd->add_option("--since", flags->since, "Only rows at or after this time (2024-05-01[T09:00:00+09:00])");
  cmd->add_option("--until", flags->until, "Only rows before this time");
  cmd->add_option("--time-field", flags->time_field, "Time --since/--until apply to: fetched (default) or published")
      ->check(CLI::IsMember({"fetched", "published"}));
  cmd->add_option("--site", flags->site, "Only this site (e.g. etoday.co.kr)");
  cmd->add_option("--min-relevance", flags->min_relevance, "Only rows with relevance >= this");
  cmd->add_option("--changed-since", flags->changed_since,
                  "Incremental feed: versions written after this cursor (0: from the start); "
                  "the next cursor is printed on stderr");
  cmd->add_option("--cursor-out", flags->cursor_out, "Write the next cursor to this file");
  AddProgressFlags(cmd, &flags->progress,
                   "Show progress on stderr (done, rate, ETA) even without a terminal: a line every 10 s",
                   "Never show progress (default: only when stderr is a terminal and the rows are not)");
  cmd->callback([ctx, flags] { *ctx.exit_code = RunExport(*ctx.global, *flags); });
}

void RegisterStats(CLI::App& app, CommandContext ctx) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("stats", "Show what the archive holds");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([ctx, json] { *ctx.exit_code = RunStats(*ctx.global, *json); });
}

}  // namespace jikji::cli
