// Helpers shared by the archive commands (export, stats, get, verify,
// backup, rebuild): opening an archive with a clear message, time flags.
//
// Thread safety: free functions; safe from any thread.
#ifndef JIKJI_CLI_ARCHIVE_UTIL_H_
#define JIKJI_CLI_ARCHIVE_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/archive.h"

namespace jikji::cli {

// Opens an existing archive. Errors: NotFound with a hint when `dir` holds
// none; as storage::Archive::Open.
Result<std::unique_ptr<storage::Archive>> OpenExistingArchive(const std::string& dir,
                                                              bool read_only);

// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.frac]]" with an optional "Z"
// or "+HH:MM"/"-HH:MM" offset (none: UTC) into UTC micros. A bare date is
// midnight UTC. False when malformed.
bool ParseTimeMicros(std::string_view text, int64_t* micros);

}  // namespace jikji::cli

#endif  // JIKJI_CLI_ARCHIVE_UTIL_H_
