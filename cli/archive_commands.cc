// export and stats: read-only commands over an archive.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/article_json.h"
#include "cli/commands.h"
#include "storage/archive.h"

namespace jikji::cli {
namespace {

Result<std::unique_ptr<storage::Archive>> OpenExisting(const std::string& dir) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
    return Status::NotFound("no archive at " + dir + " (run `jikji crawl` first, or pass --archive DIR)");
  }
  storage::ArchiveOptions options;
  options.create_if_missing = false;
  options.read_only = true;
  return storage::Archive::Open(dir, options);
}

struct ExportFlags {
  std::string format = "jsonl";
  std::string out;  // empty: stdout
};

int RunExport(const GlobalOptions& global, const ExportFlags& flags) {
  auto cfg = LoadConfigAndLogging(global, /*use_file=*/true);
  if (!cfg.ok()) {
    std::fprintf(stderr, "jikji export: %s\n", cfg.status().ToString().c_str());
    return 2;
  }
  auto archive = OpenExisting(cfg->archive_dir);
  if (!archive.ok()) {
    std::fprintf(stderr, "jikji export: %s\n", archive.status().ToString().c_str());
    return 1;
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  std::string tmp_path;
  if (!flags.out.empty()) {
    // Written to a temporary name and renamed, so a reader never sees half a file.
    tmp_path = flags.out + ".partial";
    file.open(tmp_path, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::fprintf(stderr, "jikji export: cannot write %s\n", tmp_path.c_str());
      return 1;
    }
    out = &file;
  }
  uint64_t rows = 0;
  auto it = (*archive)->NewLatestArticleIterator();
  for (; it->Valid(); it->Next()) {
    *out << RecordToJson(it->record()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
         << '\n';
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
  if (!tmp_path.empty()) {
    file.close();
    std::error_code ec;
    std::filesystem::rename(tmp_path, flags.out, ec);
    if (ec) {
      std::fprintf(stderr, "jikji export: cannot rename to %s: %s\n", flags.out.c_str(),
                   ec.message().c_str());
      return 1;
    }
  }
  spdlog::info("exported {} articles", rows);
  return 0;
}

int RunStats(const GlobalOptions& global, bool json) {
  auto cfg = LoadConfigAndLogging(global, /*use_file=*/true);
  if (!cfg.ok()) {
    std::fprintf(stderr, "jikji stats: %s\n", cfg.status().ToString().c_str());
    return 2;
  }
  auto archive = OpenExisting(cfg->archive_dir);
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
  CLI::App* cmd = app.add_subcommand("export", "Write the clean corpus, one article per line");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_option("--format", flags->format, "jsonl (default)")->check(CLI::IsMember({"jsonl"}));
  cmd->add_option("--out", flags->out, "Output file (default: standard output)");
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
