// jikji: crawl, extract, store and export Korean tech-policy news.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using jikji::cli::GlobalOptions;
  CLI::App app{"Jikji (직지): a crawler and archive for Korean tech-policy news"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "jikji 0.1.0");

  GlobalOptions global;
  auto add_global = [&global](CLI::App* cmd) {
    cmd->add_option("--archive", global.archive_dir,
                    "Archive directory (embedded RocksDB); default from config, else ./jikji-archive");
    cmd->add_option("--config", global.config_path, "Configuration file (default config/jikji.toml)");
    cmd->add_option("--log-level", global.log_level, "trace, debug, info, warn, error, off");
    cmd->add_option("--log-format", global.log_format, "text (default) or json");
  };

  jikji::cli::CrawlFlags crawl;
  CLI::App* crawl_cmd = app.add_subcommand(
      "crawl",
      "Crawl the configured sources (or --seed URLs) once, until the frontier is empty or a limit is hit");
  add_global(crawl_cmd);
  crawl_cmd->add_option("--seed", crawl.seeds,
                        "Start URL (repeatable); without --config, crawls only the seeds' hosts");
  crawl_cmd->add_option("--max-pages", crawl.max_pages, "Stop after this many page fetches (0: no limit)");
  crawl_cmd->add_option("--max-time", crawl.max_time, "Stop after this long, e.g. 90s, 10m (0: no limit)");
  crawl_cmd->add_option("--concurrency", crawl.concurrency, "Transfers in flight, all hosts together");
  crawl_cmd->add_option("--per-host-connections", crawl.per_host_connections, "Connections per host");
  crawl_cmd->add_option("--per-host-delay", crawl.per_host_delay_ms,
                        "Minimum milliseconds between requests to one host");
  crawl_cmd->add_flag("--ignore-crawl-delay", crawl.ignore_crawl_delay,
                      "Ignore robots.txt Crawl-delay (only for benchmarks on your own servers)");
  crawl_cmd->add_option("--resolve", crawl.resolve,
                        "HOST:PORT:ADDR, pin a host name to an address like curl --resolve (repeatable)");
  crawl_cmd->add_option("--user-agent", crawl.user_agent, "User-Agent header");
  crawl_cmd->add_option("--max-depth", crawl.max_depth, "Link hops followed from a seed, feed or sitemap");
  crawl_cmd->add_option("--workers", crawl.workers, "Extraction threads (0: one per core)");

  jikji::cli::ExtractFlags extract;
  CLI::App* extract_cmd = app.add_subcommand(
      "extract", "Extract the article from saved pages (files or directories; .gz read transparently)");
  add_global(extract_cmd);
  extract_cmd->add_option("inputs", extract.inputs, "Files or directories")->required();
  extract_cmd->add_option("--url", extract.url, "The page's URL (for relative links and metadata)");
  extract_cmd->add_option("--content-type", extract.content_type, "The HTTP Content-Type (for its charset)");
  extract_cmd->add_option("--format", extract.format, "json (default), jsonl or text (body only)")
      ->check(CLI::IsMember({"json", "jsonl", "text"}));

  jikji::cli::ExportFlags exp;
  CLI::App* export_cmd = app.add_subcommand("export", "Write the clean corpus, one article per line");
  add_global(export_cmd);
  export_cmd->add_option("--format", exp.format, "jsonl (default)")->check(CLI::IsMember({"jsonl"}));
  export_cmd->add_option("--out", exp.out, "Output file (default: standard output)");

  bool stats_json = false;
  CLI::App* stats_cmd = app.add_subcommand("stats", "Show what the archive holds");
  add_global(stats_cmd);
  stats_cmd->add_flag("--json", stats_json, "Print JSON");

  CLI11_PARSE(app, argc, argv);
  for (CLI::App* cmd : {crawl_cmd, extract_cmd, export_cmd, stats_cmd}) {
    if (cmd->parsed() && cmd->count("--config") > 0) global.config_given = true;
  }
  if (crawl_cmd->parsed()) return jikji::cli::RunCrawl(global, crawl);
  if (extract_cmd->parsed()) return jikji::cli::RunExtract(global, extract);
  if (export_cmd->parsed()) return jikji::cli::RunExport(global, exp);
  if (stats_cmd->parsed()) return jikji::cli::RunStats(global, stats_json);
  return 2;
}
