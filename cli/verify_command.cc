// jikji verify [--repair]: checks every index of the archive against the
// data (storage::Archive::Verify).
#include <cstdio>

#include "cli/archive_util.h"
#include "cli/commands.h"
#include "storage/archive.h"

namespace jikji::cli {
namespace {

int RunVerify(const GlobalOptions& global, bool repair) {
  auto cfg = LoadConfigAndLogging(global, /*use_file=*/true);
  if (!cfg.ok()) {
    std::fprintf(stderr, "jikji verify: %s\n", cfg.status().ToString().c_str());
    return 2;
  }
  auto archive = OpenExistingArchive(cfg->archive_dir, /*read_only=*/!repair);
  if (!archive.ok()) {
    std::fprintf(stderr, "jikji verify: %s\n", archive.status().ToString().c_str());
    return 1;
  }
  auto report = (*archive)->Verify(repair);
  if (!report.ok()) {
    std::fprintf(stderr, "jikji verify: %s\n", report.status().ToString().c_str());
    return 1;
  }
  for (const std::string& p : report->problems) std::printf("%s\n", p.c_str());
  if (report->problem_count > report->problems.size()) {
    std::printf("... and %llu more\n",
                static_cast<unsigned long long>(report->problem_count - report->problems.size()));
  }
  std::printf("checked %llu records: %llu problems%s\n",
              static_cast<unsigned long long>(report->records_checked),
              static_cast<unsigned long long>(report->problem_count),
              repair ? (", " + std::to_string(report->repaired) + " repairs written").c_str() : "");
  if (report->problem_count == 0) return 0;
  if (!repair) return 1;
  // Repairs were written: a second pass tells whether anything is left.
  auto again = (*archive)->Verify(false);
  if (!again.ok()) {
    std::fprintf(stderr, "jikji verify: %s\n", again.status().ToString().c_str());
    return 1;
  }
  std::printf("after repair: %llu problems\n",
              static_cast<unsigned long long>(again->problem_count));
  for (const std::string& p : again->problems) std::printf("left: %s\n", p.c_str());
  return again->problem_count == 0 ? 0 : 1;
}

}  // namespace

void RegisterVerify(CLI::App& app, CommandContext ctx) {
  auto repair = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("verify", "Check every archive index against the data");
  AddGlobalOptions(cmd, ctx.global);
  cmd->add_flag("--repair", *repair, "Fix what can be fixed (missing or dangling index entries, counters)");
  cmd->callback([ctx, repair] { *ctx.exit_code = RunVerify(*ctx.global, *repair); });
}

}  // namespace jikji::cli
