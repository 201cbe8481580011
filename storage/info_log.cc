#include "storage/info_log.h"

#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <filesystem>
#include <mutex>
#include <thread>

namespace jikji::storage {
namespace {

// Longer messages are cut (RocksDB's own logger cuts at about 64 KB too).
constexpr size_t kMaxLineBytes = 64 << 10;

class FileInfoLog : public rocksdb::Logger {
 public:
  FileInfoLog(std::string dir, int64_t max_bytes)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL),
        dir_(std::move(dir)),
        path_(dir_ + "/LOG"),
        max_bytes_(max_bytes) {}
  ~FileInfoLog() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[kMaxLineBytes];
    int n = Prefix(line, sizeof(line));
    va_list copy;
    va_copy(copy, ap);
    int m = std::vsnprintf(line + n, sizeof(line) - n - 1, format, copy);
    va_end(copy);
    if (m < 0) m = 0;
    size_t len = std::min(sizeof(line) - 2, static_cast<size_t>(n) + static_cast<size_t>(m));
    if (len == 0 || line[len - 1] != '\n') line[len++] = '\n';
    std::lock_guard<std::mutex> lock(mu_);
    if (failed_ || !Ready()) return;
    if (std::fwrite(line, 1, len, file_) != len || std::fflush(file_) != 0) {
      Fail(errno);
      return;
    }
    written_ += static_cast<int64_t>(len);
  }

  void Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (file_ != nullptr && !failed_ && std::fflush(file_) != 0) Fail(errno);
  }

 protected:
  rocksdb::Status CloseImpl() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
    failed_ = true;  // no more lines after Close()
    return rocksdb::Status::OK();
  }

 private:
  // "2026/12/04-19:50:00.123456 140234 " like RocksDB's lines.
  static int Prefix(char* out, size_t size) {
    struct timeval now;
    gettimeofday(&now, nullptr);
    struct tm t;
    localtime_r(&now.tv_sec, &t);
    const auto tid = static_cast<unsigned long long>(
        std::hash<std::thread::id>{}(std::this_thread::get_id()) & 0xFFFFFFFF);
    int n = std::snprintf(out, size, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %llx ", t.tm_year + 1900,
                          t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                          static_cast<long>(now.tv_usec), tid);
    return n < 0 ? 0 : n;
  }

  // Opens LOG (appending) on the first line and rotates it when it is full.
  // Caller holds mu_.
  bool Ready() {
    if (file_ != nullptr && written_ < max_bytes_) return true;
    if (file_ != nullptr) {
      std::fclose(file_);
      file_ = nullptr;
      std::error_code ec;
      std::filesystem::rename(path_, dir_ + "/LOG.old", ec);
    }
    file_ = std::fopen(path_.c_str(), "ae");
    if (file_ == nullptr) {
      // No directory yet (RocksDB logs before it creates the DB's), or
      // none at all (a read-only open of a missing archive): drop the line,
      // never create the directory.
      if (errno != ENOENT) Fail(errno);
      return false;
    }
    std::error_code ec;
    written_ = std::filesystem::file_size(path_, ec);
    if (ec) written_ = 0;
    return true;
  }

  // Caller holds mu_.
  void Fail(int err) {
    failed_ = true;
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
    spdlog::warn("RocksDB info log {}: {}; its further lines are dropped", path_,
                 err != 0 ? std::strerror(err) : "write failed");
  }

  const std::string dir_;
  const std::string path_;
  const int64_t max_bytes_;
  std::mutex mu_;
  std::FILE* file_ = nullptr;
  int64_t written_ = 0;
  bool failed_ = false;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& dir, int64_t max_bytes) {
  return std::make_shared<FileInfoLog>(dir, max_bytes);
}

}  // namespace jikji::storage
