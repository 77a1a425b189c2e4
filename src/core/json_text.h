// JSON text appended by hand, for representations rendered straight to text without a DOM (the
// hot paths: a message pushed to every socket, a page of history). Escapes as Boost.JSON's
// serializer does, so text from either compares equal once parsed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace relayer {

// `s` as a quoted JSON string: '"', '\\' and control characters escaped, other bytes as they are.
void AppendJsonString(std::string& out, std::string_view s);
void AppendJsonInt(std::string& out, int64_t v);
// `"key":` (the key must need no escaping: our own field names).
inline void AppendJsonKey(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

}  // namespace relayer
