// Logging set-up for long-running use: spdlog to stderr, or to a file that
// rotates by size (spdlog's rotating_file_sink: FILE, FILE.1 ... FILE.N,
// oldest dropped), as human text or one JSON object per line.
//
// Same formats as cli/logging.cc; this version adds rotation so that a
// daemon running for months cannot fill the disk with its log.
//
// Thread safety: MakeLogger is re-entrant; SetupLogging replaces spdlog's
// default logger (call it at start-up or on SIGHUP; loggers in use keep
// working: spdlog hands out shared_ptrs).
#ifndef JIKJI_OPS_LOGGING_H_
#define JIKJI_OPS_LOGGING_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace spdlog {
class logger;
}

namespace jikji::ops {

inline constexpr uint64_t kDefaultLogMaxBytes = 64ull << 20;  // 64 MiB per file
inline constexpr size_t kDefaultLogMaxFiles = 5;              // FILE + 5 rotated
inline constexpr size_t kMaxLogMaxFiles = 200000;             // spdlog's own cap

struct LogOptions {
  std::string level = "info";  // trace|debug|info|warn|error|critical|off
  std::string format = "text";  // text|json
  std::string file;             // "" = stderr
  // Rotation, when file is set: at max_file_bytes the file is renamed to
  // FILE.1 (FILE.1 to FILE.2, ...), keeping max_files rotated files.
  // max_file_bytes = 0 turns rotation off (one growing file).
  uint64_t max_file_bytes = kDefaultLogMaxBytes;
  size_t max_files = kDefaultLogMaxFiles;
};

// A logger named "jikji" built from options. InvalidArgument for a bad
// level, format or max_files; IOError when the file cannot be opened
// (its directory is created if missing).
Result<std::shared_ptr<spdlog::logger>> MakeLogger(const LogOptions& options);

// MakeLogger, then installs it as spdlog's default logger.
Status SetupLogging(const LogOptions& options);

}  // namespace jikji::ops

#endif  // JIKJI_OPS_LOGGING_H_
