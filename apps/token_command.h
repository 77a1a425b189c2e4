// `relayer token`: sign an identity token with the development app's key.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace relayer::apps {

struct TokenOptions {
  std::string data_dir = "./data";
  std::string user;
  std::string nonce;
  std::string display_name;
  int64_t ttl_seconds = 600;
};

void AddTokenCommand(CLI::App& app, TokenOptions& options);
int RunToken(const TokenOptions& options);

}  // namespace relayer::apps
