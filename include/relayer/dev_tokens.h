// Ready-made identity-token providers: a server started with `relayer serve --dev` signs tokens
// itself (POST /dev/identity_tokens; development only); a real app asks its own backend.
#pragma once

#include <string>

#include "relayer/client.h"

namespace relayer::sdk {

// A provider for ClientOptions::identity_token that asks the --dev server at `server_url`.
// Each request runs on a short-lived thread of its own and answers from there.
IdentityTokenProvider DevIdentityTokens(std::string server_url);

// A provider that asks the app's backend: GET `url`?user=USER&nonce=NONCE answering
// {"identity_token": "..."} (plain http://). Same threading as DevIdentityTokens.
IdentityTokenProvider BackendIdentityTokens(std::string url);

// The dev app's id from DATA/dev/app.json (written by `relayer serve --dev --data DATA`), or "".
std::string ReadDevAppId(const std::string& data_dir);

}  // namespace relayer::sdk
