// Strict reading of client JSON: malformed documents, wrong types and unknown fields become
// Layer errors (never exceptions) naming the offending property.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace relayer::server {

// Parses `body` as one JSON object. Empty body: an empty object when `allow_empty`.
Result<boost::json::object> ParseJsonObject(std::string_view body, bool allow_empty = false);
Result<boost::json::value> ParseJson(std::string_view body);

// kInvalidProperty naming the first field of `o` not in `allowed`.
Status CheckKnownFields(const boost::json::object& o,
                        std::initializer_list<std::string_view> allowed,
                        std::string_view prefix = "");

// Field accessors: absent (or null) → nullopt; present with the wrong type → kInvalidProperty.
Result<std::optional<std::string>> OptString(const boost::json::object& o, std::string_view key,
                                             std::string_view prefix = "");
Result<std::optional<bool>> OptBool(const boost::json::object& o, std::string_view key,
                                    std::string_view prefix = "");
Result<std::optional<int64_t>> OptInt(const boost::json::object& o, std::string_view key,
                                      std::string_view prefix = "");
Result<std::optional<boost::json::object>> OptObject(const boost::json::object& o,
                                                     std::string_view key,
                                                     std::string_view prefix = "");

}  // namespace relayer::server
