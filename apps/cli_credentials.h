// Where the command-line client gets identity tokens: the --dev app's key in the data folder, an
// app key file (--key-file/--key-id/--provider-id), or a command the user configures
// (--token-command). Kept apart from the SDK headers on purpose: it signs with the server's JWT
// code, whose id types share names with the SDK's.
#pragma once

#include <functional>
#include <string>

namespace relayer::apps {

struct CredentialFlags {
  std::string data_dir = "./data";
  std::string app_id;         // required with --key-file and --token-command
  std::string key_file;       // PEM private key of the app's identity provider
  std::string key_id;         // its kid
  std::string provider_id;    // the `iss` the server expects
  std::string token_command;  // sh -c command; nonce and user id in $1 and $2
};

// Answers one challenge: fills `token`, or `error` (one line) and returns false. Blocking (may
// run a command); called on the SDK thread, which waits for the answer anyway during login.
using TokenSigner = std::function<bool(const std::string& nonce, const std::string& user_id,
                                       std::string& token, std::string& error)>;

struct Credentials {
  std::string app_id;
  TokenSigner sign;
};

// Picks the source from the flags; false with `error` set when the flags are incomplete or the
// data folder holds no dev app.
bool MakeCredentials(const CredentialFlags& flags, Credentials& out, std::string& error);

}  // namespace relayer::apps
