// Push tokens: POST /push_tokens, DELETE /push_tokens/DEVICE_ID (both 202, empty body).
#include "server/api/client_api_impl.h"
#include "server/api/json_input.h"

namespace relayer::server {

namespace json = boost::json;
using Awaitable = ClientApi::Impl::Awaitable;

namespace {

constexpr size_t kMaxTokenBytes = 4096;
constexpr size_t kMaxDeviceIdBytes = 255;
constexpr size_t kMaxShortFieldBytes = 255;

// A required or optional string field of at most `max` bytes.
Result<std::string> Field(const json::object& body, const char* key, size_t max, bool required) {
  auto v = OptString(body, key);
  if (!v.ok()) return v.status();
  if (!*v || (*v)->empty()) {
    if (required) return MissingProperty(key, std::string(key) + " is required");
    return std::string();
  }
  if ((*v)->size() > max) {
    return InvalidProperty(key,
                           std::string(key) + " is longer than " + std::to_string(max) + " bytes");
  }
  return std::move(**v);
}

bool IsTokenType(const std::string& type) {
  if (type.empty() || type.size() > 32) return false;
  for (char c : type) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

Awaitable ClientApi::Impl::PostPushToken(Call& call) {
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  if (auto s = CheckKnownFields(
          *body, {"token", "type", "device_id", "apns_bundle_id", "gcm_sender_id", "ios_version"});
      !s.ok()) {
    co_return ErrorResponse(s);
  }
  RegisterPushTokenOp op;
  op.app_id = call.app();
  op.token.user_id = call.user();
  op.max_per_user = options.max_push_tokens_per_user;
  op.now = clock();
  struct Spec {
    const char* key;
    std::string* out;
    size_t max;
    bool required;
  };
  for (const Spec& f :
       {Spec{"token", &op.token.token, kMaxTokenBytes, true},
        Spec{"type", &op.token.type, kMaxShortFieldBytes, true},
        Spec{"device_id", &op.token.device_id, kMaxDeviceIdBytes, true},
        Spec{"apns_bundle_id", &op.token.apns_bundle_id, kMaxShortFieldBytes, false},
        Spec{"gcm_sender_id", &op.token.gcm_sender_id, kMaxShortFieldBytes, false}}) {
    auto v = Field(*body, f.key, f.max, f.required);
    if (!v.ok()) co_return ErrorResponse(v.status());
    *f.out = std::move(*v);
  }
  if (!IsTokenType(op.token.type)) {
    co_return ErrorResponse(
        InvalidProperty("type", "type must be a push service name such as apns or gcm"));
  }
  auto written_aw = Write(store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);
  co_return EmptyResponse(http::status::accepted);
}

Awaitable ClientApi::Impl::DeletePushToken(Call& call) {
  const std::string& device = call.params[0];
  if (device.empty() || device.size() > kMaxDeviceIdBytes) {
    co_return ErrorResponse(InvalidProperty("device_id", "device_id is not valid"));
  }
  DeletePushTokenOp op;
  op.app_id = call.app();
  op.user = call.user();
  op.device_id = device;
  auto written_aw = Write(store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);
  co_return EmptyResponse(http::status::accepted);
}

}  // namespace relayer::server
