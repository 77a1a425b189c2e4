#include "server/api/json_input.h"

#include <boost/json/parse.hpp>

namespace relayer::server {

namespace json = boost::json;

namespace {
std::string Name(std::string_view prefix, std::string_view key) {
  return std::string(prefix) + std::string(key);
}
}  // namespace

Result<json::value> ParseJson(std::string_view body) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 32;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec)
    return Status(ErrorCode::kInvalidRequest, "Request body is not valid JSON: " + ec.message());
  return v;
}

Result<json::object> ParseJsonObject(std::string_view body, bool allow_empty) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    if (allow_empty) return json::object();
    return Status(ErrorCode::kInvalidRequest, "Request body is missing; a JSON object is required");
  }
  auto v = ParseJson(body);
  if (!v.ok()) return v.status();
  if (!v->is_object())
    return Status(ErrorCode::kInvalidRequest, "Request body must be a JSON object");
  return std::move(v->as_object());
}

Status CheckKnownFields(const json::object& o, std::initializer_list<std::string_view> allowed,
                        std::string_view prefix) {
  for (const auto& kv : o) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) {
      return InvalidProperty(Name(prefix, kv.key()),
                             "Unknown property '" + Name(prefix, kv.key()) + "'");
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> OptString(const json::object& o, std::string_view key,
                                             std::string_view prefix) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) {
    return InvalidProperty(Name(prefix, key), "'" + Name(prefix, key) + "' must be a string");
  }
  return std::optional<std::string>(std::string(it->value().as_string()));
}

Result<std::optional<bool>> OptBool(const json::object& o, std::string_view key,
                                    std::string_view prefix) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<bool>();
  if (!it->value().is_bool()) {
    return InvalidProperty(Name(prefix, key), "'" + Name(prefix, key) + "' must be a boolean");
  }
  return std::optional<bool>(it->value().as_bool());
}

Result<std::optional<int64_t>> OptInt(const json::object& o, std::string_view key,
                                      std::string_view prefix) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<int64_t>();
  if (it->value().is_int64()) return std::optional<int64_t>(it->value().as_int64());
  if (it->value().is_uint64() && it->value().as_uint64() <= INT64_MAX) {
    return std::optional<int64_t>(static_cast<int64_t>(it->value().as_uint64()));
  }
  return InvalidProperty(Name(prefix, key), "'" + Name(prefix, key) + "' must be an integer");
}

Result<std::optional<json::object>> OptObject(const json::object& o, std::string_view key,
                                              std::string_view prefix) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<json::object>();
  if (!it->value().is_object()) {
    return InvalidProperty(Name(prefix, key), "'" + Name(prefix, key) + "' must be an object");
  }
  return std::optional<json::object>(it->value().as_object());
}

}  // namespace relayer::server
