#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "common/sched.h"
#include "ops/logging.h"

#ifdef JIKJI_WITH_JEMALLOC
// jemalloc's control interface (jemalloc/jemalloc.h also redeclares malloc
// and friends, which clashes with <cstdlib>).
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen);
#endif

namespace jikji::cli {
namespace {
constexpr const char* kDefaultConfig = "config/jikji.toml";
}  // namespace

std::string VersionText() {
  std::string text = "jikji 0.1.0";
#ifdef JIKJI_WITH_JEMALLOC
  // In use when an allocation through malloc() shows in jemalloc's count of
  // this thread's allocated bytes.
  auto allocated = [] {
    uint64_t bytes = 0;
    size_t len = sizeof(bytes);
    return mallctl("thread.allocated", &bytes, &len, nullptr, 0) == 0 ? bytes : 0;
  };
  const char* version = nullptr;
  size_t len = sizeof(version);
  const uint64_t before = allocated();
  void* probe = std::malloc(1 << 20);
  asm volatile("" : : "r"(probe) : "memory");  // the compiler may not drop the pair
  const bool in_use = allocated() >= before + (1 << 20);
  std::free(probe);
  if (in_use && mallctl("version", &version, &len, nullptr, 0) == 0 && version != nullptr) {
    text += std::string(" (malloc: jemalloc ") + version + ")";
  } else {
    text += " (malloc: the default; jemalloc linked but not in use)";
  }
#else
  text += " (malloc: the default, not jemalloc)";
#endif
  return text;
}

void AddGlobalOptions(CLI::App* cmd, GlobalOptions* global) {
  cmd->add_option("--archive", global->archive_dir,
                  "Archive directory (embedded RocksDB); default from config, else ./jikji-archive");
  cmd->add_option_function<std::string>(
      "--config",
      [global](const std::string& path) {
        global->config_path = path;
        global->config_given = true;
      },
      "Configuration file (default config/jikji.toml)");
  cmd->add_option("--log-level", global->log_level, "trace, debug, info, warn, error, off");
  cmd->add_option("--log-format", global->log_format, "text (default) or json");
  cmd->add_option("--log-file", global->log_file, "Log to this file (rotated by size) instead of stderr");
}

ops::ProgressMode ProgressFlags::Mode() const {
  if (off) return ops::ProgressMode::kOff;
  if (on) return ops::ProgressMode::kOn;
  return ops::ProgressMode::kAuto;
}

void AddProgressFlags(CLI::App* cmd, ProgressFlags* flags, const std::string& on_help,
                      const std::string& off_help) {
  CLI::Option* on = cmd->add_flag("--progress", flags->on, on_help);
  cmd->add_flag("--no-progress", flags->off, off_help)->excludes(on);
}

Result<config::Config> LoadConfigAndLogging(const GlobalOptions& global, bool use_file) {
  config::Config cfg;
  std::string path = global.config_path.empty() ? kDefaultConfig : global.config_path;
  if (global.config_given || (use_file && std::filesystem::exists(path))) {
    auto loaded = config::LoadConfig(path);
    if (!loaded.ok()) return loaded.status();
    cfg = std::move(*loaded);
  }
  if (!global.archive_dir.empty()) cfg.archive_dir = global.archive_dir;
  if (!global.log_level.empty()) cfg.log.level = global.log_level;
  if (!global.log_format.empty()) cfg.log.format = global.log_format;
  if (!global.log_file.empty()) cfg.log.file = global.log_file;
  ops::LogOptions log;
  log.level = cfg.log.level;
  log.format = cfg.log.format;
  log.file = cfg.log.file;
  log.max_file_bytes = static_cast<uint64_t>(cfg.log.max_file_bytes);
  log.max_files = static_cast<size_t>(cfg.log.max_files);
  Status log_status = ops::SetupLogging(log);
  if (!log_status.ok()) return log_status;
  return cfg;
}

void ApplySchedulingPolicy(const config::CrawlSettings& settings) {
  if (!settings.batch_scheduling) return;
  Status status = UseBatchScheduling();
  if (!status.ok()) {
    spdlog::warn("{}; the threads keep the default scheduling policy", status.ToString());
  } else {
    spdlog::debug("scheduling policy: SCHED_BATCH");
  }
}

}  // namespace jikji::cli
