// jikji backup DIR: a consistent copy of the archive, also while a crawl or
// the daemon has it open (storage::BackupArchive: a RocksDB checkpoint when
// the archive is free, a copy read from a secondary instance when locked).
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "storage/archive.h"

namespace jikji::cli {
namespace {

int RunBackup(const GlobalOptions& global, const std::string& dir) {
  auto cfg = LoadConfigAndLogging(global, /*use_file=*/true);
  if (!cfg.ok()) {
    std::fprintf(stderr, "jikji backup: %s\n", cfg.status().ToString().c_str());
    return 2;
  }
  if (!std::filesystem::exists(std::filesystem::path(cfg->archive_dir) / "CURRENT")) {
    std::fprintf(stderr, "jikji backup: no archive at %s (pass --archive DIR)\n",
                 cfg->archive_dir.c_str());
    return 1;
  }
  storage::BackupStats stats;
  Status s = storage::BackupArchive(cfg->archive_dir, dir, &stats);
  if (!s.ok()) {
    std::fprintf(stderr, "jikji backup: %s\n", s.ToString().c_str());
    return 1;
  }
  const auto captures = static_cast<unsigned long long>(stats.captures);
  const auto disk_bytes = static_cast<unsigned long long>(stats.disk_bytes);
  if (stats.method == storage::BackupMethod::kCheckpoint) {
    std::printf("backup of %s written to %s: checkpoint (archive not in use), %llu captures, "
                "%llu bytes of files (hard-linked where possible)\n",
                cfg->archive_dir.c_str(), dir.c_str(), captures, disk_bytes);
  } else {
    std::printf("backup of %s written to %s: live copy (archive in use by another process), "
                "%llu captures, %llu records, %llu bytes copied, %llu bytes of files\n",
                cfg->archive_dir.c_str(), dir.c_str(), captures,
                static_cast<unsigned long long>(stats.records),
                static_cast<unsigned long long>(stats.bytes), disk_bytes);
  }
  return 0;
}

}  // namespace

void RegisterBackup(CLI::App& app, CommandContext ctx) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "backup", "Write a consistent copy of the archive to DIR (also while a crawl runs)");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_option("dir", *dir, "Destination (must not exist)")->required();
  cmd->callback([ctx, dir] { *ctx.exit_code = RunBackup(*ctx.global, *dir); });
}

}  // namespace jikji::cli
