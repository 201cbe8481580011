// The jikji subcommands. Each lives in its own file and registers itself
// on the CLI11 app; main.cc only lists them. A command's callback stores
// the process exit code: 0 success, 1 failure (message already printed),
// 2 bad usage or bad configuration.
#ifndef JIKJI_CLI_COMMANDS_H_
#define JIKJI_CLI_COMMANDS_H_

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "common/status.h"
#include "config/config.h"
#include "ops/progress.h"

namespace jikji::cli {

// Options every command takes.
struct GlobalOptions {
  std::string archive_dir;        // --archive; empty: from config, else ./jikji-archive
  std::string config_path;        // --config; empty: config/jikji.toml if present
  bool config_given = false;      // --config was on the command line
  std::string log_level;          // empty: from config
  std::string log_format;         // empty: from config
  std::string log_file;           // empty: from config
};

// What every Register* function gets. Both pointers outlive the app's run.
struct CommandContext {
  GlobalOptions* global;
  int* exit_code;
};

// Adds --archive, --config, --log-level, --log-format to `cmd`.
void AddGlobalOptions(CLI::App* cmd, GlobalOptions* global);

// --progress / --no-progress of the commands that show progress.
struct ProgressFlags {
  bool on = false;   // --progress
  bool off = false;  // --no-progress
  // kOff, kOn, or kAuto when neither flag was given.
  ops::ProgressMode Mode() const;
};

// Adds --progress and --no-progress (mutually exclusive) to `cmd`.
void AddProgressFlags(CLI::App* cmd, ProgressFlags* flags,
                      const std::string& on_help =
                          "Show progress (done, rate, errors, ETA) even without a terminal: a line every 10 s",
                      const std::string& off_help = "Never show progress (default: on a terminal only)");

// Loads the config (or built-in defaults) and sets up logging; applies the
// global flags. `use_file`: false to ignore the default config file when
// --config was not given (crawl --seed alone, extract).
Result<config::Config> LoadConfigAndLogging(const GlobalOptions& global, bool use_file);

// SCHED_BATCH for the calling thread and the threads created after it
// (common/sched.h) when the crawl settings ask for it; a warning if the
// system refuses. Call before the archive and the crawler start threads.
void ApplySchedulingPolicy(const config::CrawlSettings& settings);

// "jikji 0.1.0 (malloc: ...)": the version and the allocator in use.
std::string VersionText();

void RegisterCrawl(CLI::App& app, CommandContext ctx);
void RegisterExtract(CLI::App& app, CommandContext ctx);
void RegisterExport(CLI::App& app, CommandContext ctx);
void RegisterStats(CLI::App& app, CommandContext ctx);
void RegisterGet(CLI::App& app, CommandContext ctx);
void RegisterVerify(CLI::App& app, CommandContext ctx);
void RegisterBackup(CLI::App& app, CommandContext ctx);
void RegisterRebuild(CLI::App& app, CommandContext ctx);
void RegisterRobots(CLI::App& app, CommandContext ctx);
void RegisterDaemon(CLI::App& app, CommandContext ctx);

}  // namespace jikji::cli

#endif  // JIKJI_CLI_COMMANDS_H_
