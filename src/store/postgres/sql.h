// Small helpers for writing PostgreSQL queries: text parameters from C++ values, values back from
// text columns, and early returns (store/sqlite/try.h's macros work on Status/Result here too).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/postgres/connection.h"
#include "store/sqlite/try.h"

namespace relayer::pg {

inline Param P(int64_t v) { return std::to_string(v); }
inline Param P(bool v) { return std::string(v ? "t" : "f"); }
inline Param P(std::string v) { return Param(std::move(v)); }
inline Param P(const char* v) { return Param(std::string(v)); }
inline Param Null() { return std::nullopt; }

// A bigint column (0 for NULL or garbage, which the schema rules out).
inline int64_t Int(const Param& v) {
  int64_t out = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}
inline bool Bool(const Param& v) { return v && *v == "t"; }
inline const std::string& Text(const Param& v) {
  static const std::string empty;
  return v ? *v : empty;
}

// A PostgreSQL text[] literal ({"a","b"}), for `= ANY($n::text[])` and unnest().
std::string TextArray(const std::vector<std::string>& values);
// Parses a text[] column as PostgreSQL prints it.
std::vector<std::string> ParseTextArray(const std::string& text);

}  // namespace relayer::pg
