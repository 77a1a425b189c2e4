#include "server/platform/dedup.h"

namespace relayer::server {

namespace asio = boost::asio;

Result<std::optional<std::string>> DedupKeyFrom(std::string_view header) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  if (header.empty()) return std::optional<std::string>();
  if (header.substr(0, 2) == "W/") header.remove_prefix(2);
  if (header.size() >= 2 && header.front() == '"' && header.back() == '"') {
    header = header.substr(1, header.size() - 2);
  }
  auto uuid = CanonicalUuid(header);
  if (!uuid) {
    return Status(ErrorCode::kInvalidHeader, "If-None-Match must be a UUID");
  }
  return std::optional<std::string>(*uuid);
}

asio::awaitable<Response> RunDeduplicated(PlatformContext& ctx, PlatformCall& call,
                                          const std::string& key, const PlatformHandler& handler) {
  (void)key;
  co_return co_await handler(ctx, call);
}

}  // namespace relayer::server
