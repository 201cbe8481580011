#include "ops/logging.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "ops/progress.h"

namespace jikji::ops {
namespace {

// Standard error that shares the terminal with a progress line
// (ops/progress.h): a log line first erases the half-drawn progress line
// instead of being appended to it.
class StderrSink : public spdlog::sinks::stderr_color_sink_mt {
 public:
  void log(const spdlog::details::log_msg& msg) override {
    if (TerminalProgressLineOpen()) {
      std::fputs("\r\x1b[K", stderr);
    }
    spdlog::sinks::stderr_color_sink_mt::log(msg);
  }
};

// %*: the log message as the body of a JSON string (escaped). Bytes >= 0x80
// pass through: messages are UTF-8.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static const char kHex[] = "0123456789abcdef";
    for (char c : msg.payload) {
      switch (c) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\r': dest.append(std::string_view("\\r")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xF], kHex[c & 0xF]};
            dest.append(esc, esc + 6);
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

Result<std::shared_ptr<spdlog::logger>> MakeLogger(const LogOptions& options) {
  if (options.format != "json" && options.format != "text") {
    return Status::InvalidArgument("--log-format must be text or json, not '" + options.format + "'");
  }
  auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return Status::InvalidArgument("unknown log level '" + options.level + "'");
  }
  if (options.max_file_bytes > 0 && (options.max_files == 0 || options.max_files > kMaxLogMaxFiles)) {
    return Status::InvalidArgument("log max_files must be 1.." + std::to_string(kMaxLogMaxFiles));
  }
  spdlog::sink_ptr sink;
  try {
    if (options.file.empty()) {
      sink = std::make_shared<StderrSink>();
    } else {
      std::filesystem::path parent = std::filesystem::path(options.file).parent_path();
      std::error_code ec;
      if (!parent.empty()) std::filesystem::create_directories(parent, ec);
      if (options.max_file_bytes == 0) {
        sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file);
      } else {
        sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            options.file, static_cast<size_t>(options.max_file_bytes), options.max_files);
      }
    }
  } catch (const spdlog::spdlog_ex& e) {
    return Status::IOError(std::string("cannot open log file: ") + e.what());
  }
  auto logger = std::make_shared<spdlog::logger>("jikji", std::move(sink));
  if (options.format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","thread":%t,"msg":"%*"})");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  return logger;
}

Status SetupLogging(const LogOptions& options) {
  auto logger = MakeLogger(options);
  if (!logger.ok()) return logger.status();
  spdlog::set_default_logger(*logger);
  return Status::Ok();
}

}  // namespace jikji::ops
