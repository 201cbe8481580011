#include "config/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "common/ascii.h"
#include "common/clock.h"

namespace jikji::config {
namespace {

// Reads typed values out of one TOML table, remembering which keys were
// used so that unknown keys (typos) are reported, not silently ignored.
// The first error wins; later reads become no-ops.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string source, std::string prefix, Status* error)
      : table_(table), source_(std::move(source)), prefix_(std::move(prefix)), error_(error) {}

  void String(const char* key, std::string* out) {
    const toml::node* node = Take(key);
    if (!node) return;
    if (auto v = node->value<std::string>()) *out = *v;
    else Fail(*node, key, "expected a string");
  }

  void Bool(const char* key, bool* out) {
    const toml::node* node = Take(key);
    if (!node) return;
    if (auto v = node->value<bool>()) *out = *v;
    else Fail(*node, key, "expected true or false");
  }

  template <typename Int>
  void Integer(const char* key, Int* out, int64_t min, int64_t max) {
    const toml::node* node = Take(key);
    if (!node) return;
    auto v = node->value<int64_t>();
    if (!v || !node->is_integer()) return Fail(*node, key, "expected an integer");
    if (*v < min || *v > max) {
      return Fail(*node, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    *out = static_cast<Int>(*v);
  }

  // A duration: "2s", "500ms", "15m", or an integer number of milliseconds.
  void Duration(const char* key, int64_t* out_ms) {
    const toml::node* node = Take(key);
    if (!node) return;
    if (node->is_integer()) {
      int64_t v = *node->value<int64_t>();
      if (v < 0) return Fail(*node, key, "must not be negative");
      *out_ms = v;
      return;
    }
    auto s = node->value<std::string>();
    int64_t ms;
    if (!s || !ParseDurationMillis(*s, &ms)) {
      return Fail(*node, key, "expected a duration such as \"500ms\", \"2s\", \"15m\"");
    }
    *out_ms = ms;
  }

  void Size(const char* key, int64_t* out_bytes) {
    const toml::node* node = Take(key);
    if (!node) return;
    if (node->is_integer()) {
      int64_t v = *node->value<int64_t>();
      if (v <= 0) return Fail(*node, key, "must be positive");
      *out_bytes = v;
      return;
    }
    auto s = node->value<std::string>();
    int64_t bytes;
    if (!s || !ParseByteSize(*s, &bytes)) {
      return Fail(*node, key, "expected a size such as \"16MB\" or a number of bytes");
    }
    *out_bytes = bytes;
  }

  void StringList(const char* key, std::vector<std::string>* out) {
    const toml::node* node = Take(key);
    if (!node) return;
    const toml::array* arr = node->as_array();
    if (!arr) return Fail(*node, key, "expected an array of strings");
    std::vector<std::string> values;
    for (const toml::node& item : *arr) {
      auto v = item.value<std::string>();
      if (!v) return Fail(item, key, "expected an array of strings");
      values.push_back(*v);
    }
    *out = std::move(values);
  }

  // A list of regular expressions, checked to compile.
  void RegexList(const char* key, std::vector<std::string>* out) {
    StringList(key, out);
    for (const std::string& pattern : *out) CheckRegex(key, pattern);
  }

  void Regex(const char* key, std::string* out) {
    String(key, out);
    if (!out->empty()) CheckRegex(key, *out);
  }

  const toml::table* Table(const char* key) {
    const toml::node* node = Take(key);
    if (!node) return nullptr;
    const toml::table* t = node->as_table();
    if (!t) Fail(*node, key, "expected a table");
    return t;
  }

  // Reports the first key that was never read.
  void RejectUnknown() {
    if (!error_->ok()) return;
    for (const auto& [key, node] : table_) {
      if (!used_.count(std::string(key.str()))) {
        Fail(node, std::string(key.str()).c_str(), "unknown key");
        return;
      }
    }
  }

  std::string Where(const toml::node& node) const {
    return source_ + ":" + std::to_string(node.source().begin.line);
  }

  void Fail(const toml::node& node, const std::string& key, const std::string& why) {
    if (!error_->ok()) return;
    *error_ = Status::InvalidArgument(Where(node) + ": key '" + prefix_ + key + "': " + why);
  }

 private:
  const toml::node* Take(const char* key) {
    used_.insert(key);
    if (!error_->ok()) return nullptr;
    return table_.get(key);
  }

  void CheckRegex(const char* key, const std::string& pattern) {
    try {
      std::regex re(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      const toml::node* node = table_.get(key);
      if (node) Fail(*node, key, "invalid regular expression '" + pattern + "': " + e.what());
    }
  }

  const toml::table& table_;
  std::string source_;
  std::string prefix_;
  Status* error_;
  std::set<std::string> used_;
};

Result<toml::table> ParseToml(std::string_view text, const std::string& source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source_name << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return Status::InvalidArgument(msg.str());
  }
}

void ReadCrawl(TableReader& r, CrawlSettings* c) {
  r.String("user_agent", &c->user_agent);
  r.String("robots_agent", &c->robots_agent);
  r.Integer("concurrency", &c->concurrency, 1, 4096);
  r.Integer("per_host_connections", &c->per_host_connections, 1, 64);
  r.Duration("per_host_delay", &c->per_host_delay_ms);
  r.Duration("max_crawl_delay", &c->max_crawl_delay_ms);
  r.Bool("ignore_crawl_delay", &c->ignore_crawl_delay);
  r.Duration("robots_cache_ttl", &c->robots_cache_ttl_ms);
  r.Duration("robots_retry", &c->robots_retry_ms);
  r.Integer("robots_max_attempts", &c->robots_max_attempts, 1, 100);
  r.Integer("max_pages", &c->max_pages, 0, INT64_MAX);
  r.Duration("max_time", &c->max_time_ms);
  r.Integer("max_depth", &c->max_depth, 0, 1000);
  r.Duration("connect_timeout", &c->connect_timeout_ms);
  r.Duration("timeout", &c->timeout_ms);
  r.Size("max_body", &c->max_body_bytes);
  r.Integer("max_redirects", &c->max_redirects, 0, 50);
  r.Integer("max_queue", &c->max_queue, 1000, INT64_MAX);
  r.Integer("max_url_length", &c->max_url_length, 64, 1 << 20);
  r.Integer("max_path_repeats", &c->max_path_repeats, 1, 1000);
  r.Integer("max_pages_per_host", &c->max_pages_per_host, 0, INT64_MAX);
  r.Integer("workers", &c->workers, 0, 256);
  r.Bool("batch_scheduling", &c->batch_scheduling);
  r.StringList("resolve", &c->resolve);
  r.String("ca_file", &c->ca_file);
  r.StringList("strip_params", &c->strip_params);
  r.RejectUnknown();
}

void ReadLog(TableReader& r, LogSettings* l) {
  r.String("level", &l->level);
  r.String("format", &l->format);
  r.String("file", &l->file);
  r.Size("max_file_size", &l->max_file_bytes);
  r.Integer("max_files", &l->max_files, 1, 1000);
  r.RejectUnknown();
}

void ReadDaemon(TableReader& r, DaemonSettings* d) {
  r.Duration("interval", &d->interval_ms);
  r.Duration("revisit_min", &d->revisit_min_ms);
  r.Duration("revisit_max", &d->revisit_max_ms);
  r.Duration("fresh_period", &d->fresh_period_ms);
  r.Duration("fresh_interval", &d->fresh_interval_ms);
  r.String("admin_listen", &d->admin_listen);
  r.String("admin_token_file", &d->admin_token_file);
  r.Duration("stop_timeout", &d->stop_timeout_ms);
  r.RejectUnknown();
}

Status ValidateLog(const LogSettings& l, const std::string& source) {
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!kLevels.count(l.level)) {
    return Status::InvalidArgument(source + ": key 'log.level': unknown level '" + l.level + "'");
  }
  if (l.format != "text" && l.format != "json") {
    return Status::InvalidArgument(source + ": key 'log.format': must be \"text\" or \"json\"");
  }
  return Status::Ok();
}

}  // namespace

bool ParseByteSize(const std::string& text, int64_t* bytes) {
  size_t i = 0;
  int64_t value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (value > INT64_MAX / 10) return false;
    value = value * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return false;
  std::string unit = AsciiLower(text.substr(i));
  int64_t factor;
  if (unit.empty() || unit == "b") factor = 1;
  else if (unit == "kb" || unit == "kib" || unit == "k") factor = 1024;
  else if (unit == "mb" || unit == "mib" || unit == "m") factor = 1024 * 1024;
  else if (unit == "gb" || unit == "gib" || unit == "g") factor = 1024LL * 1024 * 1024;
  else return false;
  if (value > INT64_MAX / factor || value == 0) return false;
  *bytes = value * factor;
  return true;
}

Result<SiteConfig> ParseSite(std::string_view text, const std::string& source_name) {
  auto parsed = ParseToml(text, source_name);
  if (!parsed.ok()) return parsed.status();
  const toml::table& root = *parsed;
  Status error;
  SiteConfig site;
  site.source_file = source_name;
  site.name = std::filesystem::path(source_name).stem().string();
  TableReader r(root, source_name, "", &error);
  r.String("name", &site.name);
  r.StringList("hosts", &site.hosts);
  r.StringList("seeds", &site.seeds);
  r.StringList("feeds", &site.feeds);
  r.StringList("sitemaps", &site.sitemaps);
  r.RegexList("allow", &site.allow);
  r.RegexList("deny", &site.deny);
  r.Regex("article_pattern", &site.article_pattern);
  r.Integer("max_depth", &site.max_depth, 0, 1000);
  r.Duration("per_host_delay", &site.per_host_delay_ms);
  r.Integer("per_host_connections", &site.per_host_connections, 1, 64);
  r.String("schedule", &site.schedule);
  if (const toml::table* extract = r.Table("extract")) {
    TableReader e(*extract, source_name, "extract.", &error);
    e.StringList("body", &site.extract.body);
    e.StringList("title", &site.extract.title);
    e.StringList("published", &site.extract.published);
    e.StringList("author", &site.extract.author);
    e.StringList("drop", &site.extract.drop);
    e.RejectUnknown();
  }
  r.RejectUnknown();
  if (!error.ok()) return error;
  for (std::string& h : site.hosts) h = AsciiLower(h);
  if (site.hosts.empty()) {
    return Status::InvalidArgument(source_name + ": key 'hosts': a site needs at least one host");
  }
  if (site.seeds.empty() && site.feeds.empty() && site.sitemaps.empty()) {
    return Status::InvalidArgument(source_name +
                                   ": keys 'seeds'/'feeds'/'sitemaps': a site needs somewhere to start");
  }
  if (!site.schedule.empty()) {
    int64_t ms;
    if (!ParseDurationMillis(site.schedule, &ms)) {
      return Status::InvalidArgument(source_name + ": key 'schedule': expected an interval such as \"15m\"");
    }
  }
  return site;
}

namespace {

// The main file; `sites_dir` and `topics_file` receive those keys
// (defaults "sites" and "topics.toml"; *topics_given tells whether named).
Result<Config> ParseMainConfig(std::string_view text, const std::string& source_name,
                               std::string* sites_dir, std::string* topics_file, bool* topics_given) {
  auto parsed = ParseToml(text, source_name);
  if (!parsed.ok()) return parsed.status();
  const toml::table& root = *parsed;
  Status error;
  Config config;
  config.source_file = source_name;
  TableReader r(root, source_name, "", &error);
  *sites_dir = "sites";
  r.String("sites_dir", sites_dir);
  *topics_file = "";
  r.String("topics_file", topics_file);
  *topics_given = !topics_file->empty();
  if (topics_file->empty()) *topics_file = "topics.toml";
  if (const toml::table* t = r.Table("crawl")) {
    TableReader c(*t, source_name, "crawl.", &error);
    ReadCrawl(c, &config.crawl);
  }
  if (const toml::table* t = r.Table("archive")) {
    TableReader a(*t, source_name, "archive.", &error);
    a.String("dir", &config.archive_dir);
    a.RejectUnknown();
  }
  if (const toml::table* t = r.Table("log")) {
    TableReader l(*t, source_name, "log.", &error);
    ReadLog(l, &config.log);
  }
  if (const toml::table* t = r.Table("daemon")) {
    TableReader d(*t, source_name, "daemon.", &error);
    ReadDaemon(d, &config.daemon);
  }
  r.RejectUnknown();
  if (!error.ok()) return error;
  Status log_status = ValidateLog(config.log, source_name);
  if (!log_status.ok()) return log_status;
  const DaemonSettings& d = config.daemon;
  if (d.revisit_min_ms <= 0 || d.revisit_min_ms > d.revisit_max_ms || d.interval_ms <= 0) {
    return Status::InvalidArgument(source_name +
                                   ": keys 'daemon.revisit_min'/'revisit_max'/'interval': need "
                                   "0 < revisit_min <= revisit_max and interval > 0");
  }
  return config;
}

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& source_name) {
  std::string sites_dir, topics_file;
  bool topics_given;
  return ParseMainConfig(text, source_name, &sites_dir, &topics_file, &topics_given);
}

Result<std::vector<Topic>> ParseTopics(std::string_view text, const std::string& source_name) {
  auto parsed = ParseToml(text, source_name);
  if (!parsed.ok()) return parsed.status();
  const toml::table& root = *parsed;
  Status error;
  std::vector<Topic> topics;
  TableReader r(root, source_name, "", &error);
  if (const toml::table* terms = r.Table("terms")) {
    for (const auto& [key, node] : *terms) {
      auto w = node.value<double>();
      if (!w || *w <= 0) {
        TableReader t(*terms, source_name, "terms.", &error);
        t.Fail(node, std::string(key.str()), "expected a positive weight");
        break;
      }
      topics.push_back({std::string(key.str()), *w});
    }
  }
  r.RejectUnknown();
  if (!error.ok()) return error;
  return topics;
}

Result<Config> LoadConfig(const std::string& path) {
  namespace fs = std::filesystem;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("config file not found: " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string sites_dir, topics_file;
  bool topics_given = false;
  auto config = ParseMainConfig(buf.str(), path, &sites_dir, &topics_file, &topics_given);
  if (!config.ok()) return config;

  fs::path topics_path = fs::path(topics_file).is_absolute() ? fs::path(topics_file)
                                                             : fs::path(path).parent_path() / topics_file;
  if (std::ifstream topics_in{topics_path, std::ios::binary}) {
    std::stringstream topics_buf;
    topics_buf << topics_in.rdbuf();
    auto topics = ParseTopics(topics_buf.str(), topics_path.string());
    if (!topics.ok()) return topics.status();
    config->topics = std::move(*topics);
  } else if (topics_given) {
    return Status::NotFound(path + ": key 'topics_file': cannot read " + topics_path.string());
  }
  fs::path dir = fs::path(path).parent_path() / sites_dir;
  if (fs::path(sites_dir).is_absolute()) dir = sites_dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return config;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::set<std::string> names;
  for (const fs::path& file : files) {
    std::ifstream site_in(file, std::ios::binary);
    std::stringstream site_buf;
    site_buf << site_in.rdbuf();
    auto site = ParseSite(site_buf.str(), file.string());
    if (!site.ok()) return site.status();
    if (!names.insert(site->name).second) {
      return Status::InvalidArgument(file.string() + ": key 'name': duplicate site name '" +
                                     site->name + "'");
    }
    config->sites.push_back(std::move(*site));
  }
  return config;
}

}  // namespace jikji::config
