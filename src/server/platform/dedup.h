// If-None-Match de-duplication of Platform API creates: the first 2xx answer to a key is stored
// (in the store, so it survives a restart) and a retried request with the same key gets that
// answer again instead of creating twice. Keys expire after PlatformOptions::dedup_ttl_ms.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "server/platform/platform_impl.h"

namespace relayer::server {

// The UUID of an If-None-Match header (quotes and a weak "W/" prefix allowed), lower-cased;
// nullopt when the header is absent; 406 invalid_header when not a UUID.
Result<std::optional<std::string>> DedupKeyFrom(std::string_view header);

// Answers with the stored result of `key` when there is one; otherwise runs `handler` and
// stores its answer if it succeeded (a failed create may be retried with the same key). While a
// request with a key runs, another with the same key gets 409 conflict rather than a second
// create (one server process; the store keeps the first answer either way).
boost::asio::awaitable<Response> RunDeduplicated(PlatformContext& ctx, PlatformCall& call,
                                                 const std::string& key,
                                                 const PlatformHandler& handler);

}  // namespace relayer::server
