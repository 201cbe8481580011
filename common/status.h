// Status and Result<T>: the error currency at every module boundary.
//
// A Status is either OK or carries a Code and a message. Codes tell the
// caller what to do next: kUnavailable and kDeadlineExceeded are worth a
// retry later; kInvalidArgument, kFailedPrecondition, kDataLoss are not.
//
// Thread safety: values; safe to copy across threads.
#ifndef JIKJI_COMMON_STATUS_H_
#define JIKJI_COMMON_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace jikji {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,     // bad input from the caller (config, flags, data)
    kNotFound,            // key, file or URL does not exist
    kAlreadyExists,
    kFailedPrecondition,  // state forbids it (archive locked, wrong schema)
    kResourceExhausted,   // a named limit was hit (body cap, queue, disk)
    kUnavailable,         // transient: network, server 5xx; retry later
    kDeadlineExceeded,    // a timeout
    kDataLoss,            // corruption detected
    kIOError,             // local file system / database error
    kCancelled,
    kInternal,
  };

  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string_view msg) { return {Code::kInvalidArgument, msg}; }
  static Status NotFound(std::string_view msg) { return {Code::kNotFound, msg}; }
  static Status AlreadyExists(std::string_view msg) { return {Code::kAlreadyExists, msg}; }
  static Status FailedPrecondition(std::string_view msg) { return {Code::kFailedPrecondition, msg}; }
  static Status ResourceExhausted(std::string_view msg) { return {Code::kResourceExhausted, msg}; }
  static Status Unavailable(std::string_view msg) { return {Code::kUnavailable, msg}; }
  static Status DeadlineExceeded(std::string_view msg) { return {Code::kDeadlineExceeded, msg}; }
  static Status DataLoss(std::string_view msg) { return {Code::kDataLoss, msg}; }
  static Status IOError(std::string_view msg) { return {Code::kIOError, msg}; }
  static Status Cancelled(std::string_view msg) { return {Code::kCancelled, msg}; }
  static Status Internal(std::string_view msg) { return {Code::kInternal, msg}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsResourceExhausted() const { return code_ == Code::kResourceExhausted; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }

  // True for codes where trying the same operation later may succeed.
  bool IsRetryable() const {
    return code_ == Code::kUnavailable || code_ == Code::kDeadlineExceeded;
  }

  // Returns a copy with "context: " put before the message.
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    return Status(code_, std::string(context) + ": " + message_);
  }

  // "OK" or "<CodeName>: message".
  std::string ToString() const;
  static std::string_view CodeName(Code code);

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T>: a T on success, a non-OK Status on failure.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "Result built from an OK Status has no value");
    if (status_.ok()) status_ = Status::Internal("Result from OK status without value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace jikji

#endif  // JIKJI_COMMON_STATUS_H_
