// Status and Result<T>: errors as values. Codes are Layer's error codes so that an error can travel
// from the store up to the HTTP answer without translation tables in between.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace relayer {

// Layer Client API error codes (see docs/protocol.md). The HTTP status follows from the code.
enum class ErrorCode : int {
  kOk = 0,
  kServiceUnavailable = 1,
  kInvalidAppId = 2,
  kInvalidRequestId = 3,
  kAuthenticationRequired = 4,
  kRateLimitExceeded = 7,
  kRequestTimeout = 8,
  kInvalidOperation = 9,
  kInvalidRequest = 10,
  kInternalServerError = 100,
  kAccessDenied = 101,
  kNotFound = 102,
  kObjectDeleted = 103,
  kMissingProperty = 104,
  kInvalidProperty = 105,
  kInvalidEndpoint = 106,
  kInvalidHeader = 107,
  kConflict = 108,
  kMethodNotAllowed = 109,
  kParticipantBlocked = 110,
  kIdInUse = 111,
  kRequestEntityTooLarge = 112,
};

// Layer's string id for a code, e.g. "not_found".
const char* ErrorCodeName(ErrorCode code);
// The HTTP status Layer answered with for a code, e.g. 404.
int ErrorCodeHttpStatus(ErrorCode code);

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, std::string property = {})
      : code_(code), message_(std::move(message)), property_(std::move(property)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The offending property for invalid/missing property errors (may be empty).
  const std::string& property() const { return property_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string property_;
};

inline Status NotFound(std::string m) { return Status(ErrorCode::kNotFound, std::move(m)); }
inline Status InvalidProperty(std::string prop, std::string m) {
  return Status(ErrorCode::kInvalidProperty, std::move(m), std::move(prop));
}
inline Status MissingProperty(std::string prop, std::string m) {
  return Status(ErrorCode::kMissingProperty, std::move(m), std::move(prop));
}
inline Status InvalidRequest(std::string m) {
  return Status(ErrorCode::kInvalidRequest, std::move(m));
}
inline Status Internal(std::string m) {
  return Status(ErrorCode::kInternalServerError, std::move(m));
}

// A value or an error. Accessing value() of an error is a bug (asserts).
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok());
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace relayer
