// jikji backup DIR: a consistent copy of the archive (RocksDB checkpoint:
// hard links where the file system allows, copies otherwise).
#include <cstdio>

#include "cli/archive_util.h"
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
  auto archive = OpenExistingArchive(cfg->archive_dir, /*read_only=*/false);
  if (!archive.ok()) {
    std::fprintf(stderr, "jikji backup: %s\n", archive.status().ToString().c_str());
    return 1;
  }
  Status s = (*archive)->Backup(dir);
  if (!s.ok()) {
    std::fprintf(stderr, "jikji backup: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("backup of %s written to %s\n", cfg->archive_dir.c_str(), dir.c_str());
  return 0;
}

}  // namespace

void RegisterBackup(CLI::App& app, CommandContext ctx) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("backup", "Write a consistent copy of the archive to DIR");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_option("dir", *dir, "Destination (must not exist)")->required();
  cmd->callback([ctx, dir] { *ctx.exit_code = RunBackup(*ctx.global, *dir); });
}

}  // namespace jikji::cli
