#include "cli_session.h"

#include <atomic>
#include <future>
#include <iostream>

#include "relayer/dev_tokens.h"

namespace relayer::apps {

void AddClientFlags(CLI::App* cmd, ClientFlags& f) {
  cmd->add_option("--as", f.user, "User id to act as")->required();
  cmd->add_option("--server", f.server_url, "Server URL [http://127.0.0.1:7070]");
  cmd->add_option("--data", f.credentials.data_dir,
                  "Data folder of a `relayer serve --dev` (its dev app signs tokens) [./data]");
  cmd->add_option("--app-id", f.credentials.app_id,
                  "Layer app id (with --key-file/--token-command; alone: a --dev server signs)");
  cmd->add_option("--key-file", f.credentials.key_file,
                  "PEM private key that signs identity tokens");
  cmd->add_option("--key-id", f.credentials.key_id, "The key's id (kid)");
  cmd->add_option("--provider-id", f.credentials.provider_id, "Identity provider id (iss)");
  cmd->add_option("--token-command", f.credentials.token_command,
                  "sh command printing an identity token; the nonce is $1, the user id $2");
  cmd->add_option("--timeout", f.timeout_seconds, "Seconds to wait for the server [30]");
}

std::chrono::milliseconds Timeout(const ClientFlags& f) {
  return std::chrono::milliseconds(static_cast<int64_t>(f.timeout_seconds * 1000));
}

int Fail(const std::string& what, const Status& s) {
  std::cerr << "relayer: " << what << ": " << s.message();
  if (s.httpStatus() != 0) std::cerr << " (HTTP " << s.httpStatus() << ")";
  std::cerr << std::endl;
  switch (s.code()) {
    case StatusCode::kUnavailable:
      return kExitUnreachable;
    case StatusCode::kUnauthenticated:
      return kExitAuth;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
    case StatusCode::kConflict:
      return kExitRefused;
    case StatusCode::kCancelled:
      return s.message() == "timed out" ? kExitTimeout : kExitError;
    default:
      return kExitError;
  }
}

Status WaitFor(const std::function<void(StatusCallback)>& start,
               std::chrono::milliseconds timeout) {
  // The callback may come late (after the deadline) or never: it owns what it touches.
  auto promise = std::make_shared<std::promise<Status>>();
  auto once = std::make_shared<std::atomic<bool>>(false);
  auto future = promise->get_future();
  start([promise, once](const Status& s) {
    if (!once->exchange(true)) promise->set_value(s);
  });
  if (future.wait_for(timeout) != std::future_status::ready)
    return Status(StatusCode::kCancelled, "timed out");
  return future.get();
}

int ConnectClient(const ClientFlags& f, std::unique_ptr<Client>& out) {
  ClientOptions options;
  options.server_url = f.server_url;
  options.request_timeout = Timeout(f);
  Credentials creds;
  std::string error;
  const CredentialFlags& c = f.credentials;
  if (MakeCredentials(c, creds, error)) {
    options.app_id = creds.app_id;
    options.identity_token = [sign = creds.sign](const std::string& nonce, const std::string& user,
                                                 Callback<std::string> done) {
      std::string token, err;
      if (sign(nonce, user, token, err)) {
        done(token);
      } else {
        done(Status(StatusCode::kUnauthenticated, err));
      }
    };
  } else if (!c.app_id.empty() && c.key_file.empty() && c.token_command.empty()) {
    // Only an app id: a --dev server signs the tokens itself (POST /dev/identity_tokens).
    options.app_id = c.app_id;
    options.identity_token = DevIdentityTokens(f.server_url);
  } else {
    std::cerr << "relayer: " << error << std::endl;
    return kExitAuth;
  }
  auto client = std::make_unique<Client>(std::move(options));
  Subscription watch = 0;
  Status s = WaitFor(
      [&](StatusCallback done) {
        // The SDK keeps retrying an unreachable server; a command-line tool says so at once.
        watch = client->onConnectionState([done](const ConnectionEvent& e) {
          if (e.state == ConnectionState::kOffline) done(e.reason);
        });
        client->connect(f.user, done);
      },
      Timeout(f));
  client->off(watch);
  if (!s.ok()) {
    std::string what = s.code() == StatusCode::kUnavailable
                           ? "cannot reach the server at " + f.server_url
                           : "cannot log in as " + f.user;
    int code = Fail(what, s);
    client->disconnect();
    return code;
  }
  out = std::move(client);
  return kExitOk;
}

std::vector<std::string> SplitUsers(const std::string& list) {
  std::vector<std::string> users;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) users.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return users;
}

}  // namespace relayer::apps
