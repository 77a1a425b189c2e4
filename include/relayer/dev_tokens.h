// Identity tokens for development only: a server started with `relayer serve --dev` signs them
// itself (POST /dev/identity_tokens). Real apps get tokens from their own backend instead.
#pragma once

#include <string>

#include "relayer/client.h"

namespace relayer::sdk {

// A provider for ClientOptions::identity_token that asks the --dev server at `server_url`.
// Each request runs on a short-lived thread of its own and answers from there.
IdentityTokenProvider DevIdentityTokens(std::string server_url);

// The dev app's id from DATA/dev/app.json (written by `relayer serve --dev --data DATA`), or "".
std::string ReadDevAppId(const std::string& data_dir);

}  // namespace relayer::sdk
