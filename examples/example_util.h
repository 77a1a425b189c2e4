// What every example shares: the server from the command line (URL and the --dev server's data
// folder or app id), a Client that gets its identity tokens from the --dev server, and a way for
// main() to wait for the SDK thread. Examples are for a server started with `relayer serve --dev`.
#pragma once

#include <relayer/client.h>
#include <relayer/dev_tokens.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>

namespace example {

using namespace relayer::sdk;

// argv: URL DATA_DIR_OR_APP_ID ... ; exits with usage on error. Identity tokens come from the
// --dev server, or from the app backend at $RELAYER_IDENTITY_TOKEN_URL when that is set.
inline ClientOptions OptionsFromArgs(int argc, char** argv, const char* usage) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s URL DATA_DIR|APP_ID %s\n", argv[0], usage);
    std::exit(2);
  }
  ClientOptions options;
  options.server_url = argv[1];
  std::string app = argv[2];
  options.app_id = app.rfind("layer:///", 0) == 0 ? app : ReadDevAppId(app);
  if (options.app_id.empty()) {
    std::fprintf(stderr, "no dev app in %s (start `relayer serve --dev --data %s`)\n", argv[2],
                 argv[2]);
    std::exit(2);
  }
  const char* backend = std::getenv("RELAYER_IDENTITY_TOKEN_URL");
  options.identity_token =
      backend ? BackendIdentityTokens(backend) : DevIdentityTokens(options.server_url);
  return options;
}

// Connects and waits; exits on failure.
inline void ConnectOrExit(Client& client, const std::string& user) {
  std::promise<Status> connected;
  client.connect(user, [&](const Status& s) { connected.set_value(s); });
  auto f = connected.get_future();
  if (f.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
    std::fprintf(stderr, "could not reach the server\n");
    std::exit(1);
  }
  if (Status s = f.get(); !s.ok()) {
    std::fprintf(stderr, "connect: %s\n", s.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace example
