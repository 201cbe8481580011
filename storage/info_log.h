// RocksDB's info log (DIR/LOG), written by Jikji instead of RocksDB.
//
// RocksDB 7.8's own file logger asserts when it writes again after a failed
// write, and Debian's librocksdb keeps its assertions: a full disk aborted
// the process from inside a log call before any error reached Jikji. This
// logger stops writing after a failed write (saying so once through
// spdlog), so the error RocksDB returns to the write that hit the full disk
// is the one the caller sees.
//
// Lines are appended to DIR/LOG (created on the first line; an existing LOG
// is never renamed, so opening an archive another process holds leaves that
// process's log alone). When LOG passes kMaxInfoLogBytes it becomes
// LOG.old (replacing the previous one) and a new LOG starts.
//
// Thread safety: Logv may be called from any thread.
#ifndef JIKJI_STORAGE_INFO_LOG_H_
#define JIKJI_STORAGE_INFO_LOG_H_

#include <rocksdb/env.h>

#include <cstdint>
#include <memory>
#include <string>

namespace jikji::storage {

inline constexpr int64_t kMaxInfoLogBytes = 64 << 20;

// The info log of the RocksDB database in `dir` (DIR/LOG).
std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& dir,
                                            int64_t max_bytes = kMaxInfoLogBytes);

}  // namespace jikji::storage

#endif  // JIKJI_STORAGE_INFO_LOG_H_
