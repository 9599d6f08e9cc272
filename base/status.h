// base/status.h
//
// Status carries the outcome of an operation that can fail: OK, or a code with a message that says
// what went wrong and, where it helps, how to fix it. Errors from third-party libraries (SQLite, NATS,
// system calls) are translated into a Status once, in the adapter that calls them, with the operation
// name in the message. Value type; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace baton {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the caller's input is wrong; the message names the field
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // unique constraint (e.g. an idempotency key) already taken
  kFailedPrecondition,  // the request is valid but not in the current state (cancel a finished job)
  kPermissionDenied,    // policy said no
  kUnavailable,         // a dependency (NATS, a busy database) is unreachable; retry later
  kDeadlineExceeded,    // a wait ran out
  kCancelled,           // the caller gave up
  kInternal,            // a bug or an unexpected system error
};

std::string_view ToString(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NotFound: job 12 does not exist"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Returns from the enclosing function when `expr` is not OK.
#define BATON_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::baton::Status baton_status_ = (expr);    \
    if (!baton_status_.ok()) return baton_status_; \
  } while (0)

}  // namespace baton
