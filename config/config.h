// Configuration: the TOML files (config/jikji.toml and config/sites/*.toml)
// turned into validated values. Every error names the file, the line and
// the key. Command-line flags override what is loaded here (see cli/).
//
// Thread safety: values; LoadConfig is reentrant.
#ifndef JIKJI_CONFIG_CONFIG_H_
#define JIKJI_CONFIG_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parser/extractor.h"

namespace jikji::config {

// One configured source (outlet, forum), from config/sites/NAME.toml.
struct SiteConfig {
  std::string name;                 // file stem unless given
  std::string source_file;          // where it was read from
  std::vector<std::string> hosts;   // hosts in scope, lower case
  std::vector<std::string> seeds;   // start pages (home, sections)
  std::vector<std::string> feeds;   // RSS/Atom
  std::vector<std::string> sitemaps;
  std::vector<std::string> allow;   // URL regexes in scope (empty: whole hosts)
  std::vector<std::string> deny;    // URL regexes never fetched
  std::string article_pattern;      // URL regex of article pages (optional)
  int max_depth = -1;               // -1: the crawl default
  int64_t per_host_delay_ms = -1;   // -1: the crawl default
  int per_host_connections = -1;    // -1: the crawl default
  std::string schedule;             // recrawl interval for feeds/sections, e.g. "15m"
  parser::ExtractRules extract;     // optional per-site selectors
};

// A term of the focused crawl (config/topics.toml), with its weight.
struct Topic {
  std::string term;
  double weight = 1.0;
};

struct CrawlSettings {
  std::string user_agent = "Jikji/0.1 (+https://github.com/jikji-archive/jikji; news research archive)";
  std::string robots_agent = "Jikji";  // product token matched against robots.txt groups
  int concurrency = 16;                // transfers in flight, all hosts
  int per_host_connections = 1;
  int64_t per_host_delay_ms = 2000;
  int64_t max_crawl_delay_ms = 30'000; // Crawl-delay honoured up to this
  bool ignore_crawl_delay = false;
  // robots.txt (RFC 9309 2.4): a fetched copy is used this long, then
  // fetched again. 5xx or unreachable: the host waits (nothing fetched)
  // and robots.txt is tried again after robots_retry, doubling up to 1 h;
  // a one-shot crawl gives up on the host after robots_max_attempts (its
  // URLs are then skipped as disallowed), a daemon keeps trying. A copy
  // fetched before stays in use while the server fails.
  int64_t robots_cache_ttl_ms = 24 * 3'600'000;
  int64_t robots_retry_ms = 60'000;
  int robots_max_attempts = 3;
  int64_t max_pages = 0;               // 0: no limit
  int64_t max_time_ms = 0;             // 0: no limit
  int max_depth = 3;                   // link hops from a seed or feed
  int64_t connect_timeout_ms = 10'000;
  int64_t timeout_ms = 60'000;
  int64_t max_body_bytes = 16 << 20;
  int max_redirects = 5;
  int64_t max_queue = 50'000'000;      // frontier entries held, all hosts
  // Spider-trap guards.
  int max_url_length = 2048;           // longer URLs are not queued
  int max_path_repeats = 2;            // a path segment may repeat this often
  int64_t max_pages_per_host = 0;      // per crawl; 0: no limit
  int workers = 0;                     // extraction threads; 0: one per core
  bool batch_scheduling = true;        // SCHED_BATCH for the crawl's threads (common/sched.h)
  std::vector<std::string> resolve;    // "HOST:PORT:ADDR"
  std::string ca_file;                 // PEM CA bundle for HTTPS instead of the system's; "" = system
  std::vector<std::string> strip_params = {"utm_*", "fbclid", "gclid", "dclid", "msclkid",
                                           "mc_cid", "mc_eid", "_ga", "igshid", "yclid"};
};

// `jikji daemon`: how often to come back (crawler/schedule.h explains the
// adaptive revisit policy).
struct DaemonSettings {
  int64_t interval_ms = 15 * 60'000;           // entry points (seeds, feeds, sitemaps) of
                                               // sites without their own `schedule`
  int64_t revisit_min_ms = 60 * 60'000;        // article revisit bounds
  int64_t revisit_max_ms = 30LL * 86'400'000;
  int64_t fresh_period_ms = 48LL * 3'600'000;  // "news gets corrected": young articles...
  int64_t fresh_interval_ms = 3 * 3'600'000;   // ...are revisited at least this often
  std::string admin_listen = "127.0.0.1:9310";
  std::string admin_token_file;                // empty: no token
  int64_t stop_timeout_ms = 8'000;             // in-flight fetches get this long on SIGTERM
};

struct LogSettings {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "text";  // text or json
  std::string file;             // empty: stderr
  int64_t max_file_bytes = 64 << 20;  // rotation, when `file` is set
  int max_files = 5;
};

struct Config {
  std::string source_file;      // the main file, or "" for built-in defaults
  std::string archive_dir = "jikji-archive";
  CrawlSettings crawl;
  LogSettings log;
  DaemonSettings daemon;
  std::vector<SiteConfig> sites;
  std::vector<Topic> topics;    // from topics_file (default topics.toml beside the main file)
};

// Loads the main file, every *.toml in its `sites_dir` (default "sites",
// relative to the file) in name order, and its `topics_file` (default
// "topics.toml"; optional unless named explicitly).
// Errors: NotFound (file missing), InvalidArgument "FILE:LINE: key 'x': why".
Result<Config> LoadConfig(const std::string& path);

// Parses one main config from text; `source_name` is used in errors.
// Site files are not read (sites_dir is ignored).
Result<Config> ParseConfig(std::string_view text, const std::string& source_name);

// Parses one site profile from text.
Result<SiteConfig> ParseSite(std::string_view text, const std::string& source_name);

// Parses a topics file: [[topic]] tables with `term` and `weight`, or a
// `[terms]` table mapping term to weight.
Result<std::vector<Topic>> ParseTopics(std::string_view text, const std::string& source_name);

// Parses sizes like "16MB", "512KiB", "1000" (bytes). False when malformed.
bool ParseByteSize(const std::string& text, int64_t* bytes);

}  // namespace jikji::config

#endif  // JIKJI_CONFIG_CONFIG_H_
