// The flags and exit codes the client subcommands (send, tail, chat) share. Free of SDK types so
// that main.cc can hold the options next to the server's commands.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli_credentials.h"

namespace relayer::apps {

// Exit codes of the client subcommands (documented in docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,        // anything else (local file, unexpected server answer)
  kExitUsage = 2,        // bad flags (CLI11 also exits with its own codes for those)
  kExitUnreachable = 3,  // the server could not be reached
  kExitAuth = 4,         // no credentials, or the server refused the identity token
  kExitRefused = 5,      // the server refused the request (invalid user, unknown conversation)
  kExitTimeout = 6,      // no answer within --timeout
};

struct ClientFlags {
  std::string server_url = "http://127.0.0.1:7070";
  std::string user;  // --as
  CredentialFlags credentials;
  double timeout_seconds = 30;
};

void AddClientFlags(CLI::App* cmd, ClientFlags& flags);

}  // namespace relayer::apps
