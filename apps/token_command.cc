#include "token_command.h"

#include <chrono>
#include <iostream>

#include "server/app/dev_app.h"
#include "server/auth/jwt.h"

namespace relayer::apps {

void AddTokenCommand(CLI::App& app, TokenOptions& o) {
  auto* cmd = app.add_subcommand("token", "Sign an identity token with the --dev app's key");
  cmd->add_option("--data", o.data_dir, "Data folder of a `relayer serve --dev` [./data]");
  cmd->add_option("--user", o.user, "User id (prn)")->required();
  cmd->add_option("--nonce", o.nonce, "Nonce from POST /nonces (nce)")->required();
  cmd->add_option("--display-name", o.display_name, "display_name claim");
  cmd->add_option("--ttl", o.ttl_seconds, "Token lifetime in seconds [600]");
}

int RunToken(const TokenOptions& o) {
  auto dev = server::LoadDevApp(o.data_dir);
  if (!dev.ok()) {
    std::cerr << "relayer: " << dev.status().message() << "\n";
    return 1;
  }
  server::IdentityClaims claims;
  claims.iss = dev->app.provider_id;
  claims.prn = o.user;
  claims.nce = o.nonce;
  claims.display_name = o.display_name;
  claims.iat = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  claims.exp = claims.iat + o.ttl_seconds;
  auto token = server::SignIdentityToken(*dev->app.dev_private_pem, dev->app.dev_kid, claims);
  if (!token.ok()) {
    std::cerr << "relayer: " << token.status().message() << "\n";
    return 1;
  }
  std::cout << *token << "\n";
  return 0;
}

}  // namespace relayer::apps
