// The jikji subcommands. Each returns the process exit code:
// 0 success, 1 failure (message already printed), 2 bad usage.
#ifndef JIKJI_CLI_COMMANDS_H_
#define JIKJI_CLI_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace jikji::cli {

// Options every command takes.
struct GlobalOptions {
  std::string archive_dir;        // --archive; empty: from config, else ./jikji-archive
  std::string config_path;        // --config; empty: config/jikji.toml if present
  bool config_given = false;      // --config was on the command line
  std::string log_level;          // empty: from config
  std::string log_format;         // empty: from config
};

// Loads the config (or built-in defaults) and sets up logging.
// `use_file`: false to ignore the default config file (crawl --seed alone).
Result<config::Config> LoadConfigAndLogging(const GlobalOptions& global, bool use_file);

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
};
int RunCrawl(const GlobalOptions& global, const CrawlFlags& flags);

struct ExtractFlags {
  std::vector<std::string> inputs;
  std::string url;
  std::string content_type;
  std::string format = "json";  // json, jsonl, text
};
int RunExtract(const GlobalOptions& global, const ExtractFlags& flags);

struct ExportFlags {
  std::string format = "jsonl";
  std::string out;  // empty: stdout
};
int RunExport(const GlobalOptions& global, const ExportFlags& flags);

int RunStats(const GlobalOptions& global, bool json);

}  // namespace jikji::cli

#endif  // JIKJI_CLI_COMMANDS_H_
