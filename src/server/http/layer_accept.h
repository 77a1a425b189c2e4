// The version asked for in an Accept header's "application/vnd.layer+json; version=X" (other
// media types listed alongside are ignored). Shared by the Client API (2.0) and the Platform API
// (1.x), which each decide which versions they serve.
#pragma once

#include <optional>
#include <string_view>

namespace relayer::server {

inline std::optional<std::string_view> LayerAcceptVersion(std::string_view accept) {
  auto pos = accept.find("application/vnd.layer+json");
  if (pos == std::string_view::npos) return std::nullopt;
  auto rest = accept.substr(pos);
  if (auto end = rest.find(','); end != std::string_view::npos) rest = rest.substr(0, end);
  auto v = rest.find("version=");
  if (v == std::string_view::npos) return std::nullopt;
  auto version = rest.substr(v + 8);
  while (!version.empty() && (version.back() == ' ' || version.back() == ';'))
    version.remove_suffix(1);
  return version;
}

}  // namespace relayer::server
