// Errors of the SDK are values, never exceptions: a Status, or a Result<T> holding a T or a Status.
// Plain values; safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace relayer::sdk {

enum class StatusCode {
  kOk,
  kUnavailable,       // the server could not be reached (a queued send keeps retrying)
  kUnauthenticated,   // the identity token was refused, or no token could be obtained
  kInvalidArgument,   // refused by the server as malformed (Layer 400/422) or by the SDK
  kNotFound,          // Layer 404
  kPermissionDenied,  // Layer 403
  kConflict,          // Layer 409 (e.g. a distinct conversation with other metadata)
  kServerError,       // any other answer of the server
  kCancelled,         // the Client was destroyed or disconnected before an answer
  kNotImplemented,
};

class Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message, std::string layer_id = {}, int http_status = 0)
      : code_(code),
        message_(std::move(message)),
        layer_id_(std::move(layer_id)),
        http_status_(http_status) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Layer's error `id` ("not_found", "conflict", ...) when the server answered with one.
  const std::string& layerId() const { return layer_id_; }
  int httpStatus() const { return http_status_; }  // 0 when no HTTP answer
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string layer_id_;
  int http_status_ = 0;
};

// A T, or the Status saying why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Status status) : status_(std::move(status)) {}
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace relayer::sdk
