// Logging set-up for the jikji binary: spdlog to stderr (or a file), human
// text on a terminal, one JSON object per line with --log-format json.
#ifndef JIKJI_CLI_LOGGING_H_
#define JIKJI_CLI_LOGGING_H_

#include <string>

#include "common/status.h"

namespace jikji::cli {

// level: trace|debug|info|warn|error|off; format: text|json; file: "" for stderr.
Status SetupLogging(const std::string& level, const std::string& format, const std::string& file);

}  // namespace jikji::cli

#endif  // JIKJI_CLI_LOGGING_H_
