// The Client API calls a load test needs before it sends anything: the dev app's id, a session
// per user (POST /nonces → POST /dev/identity_tokens → POST /sessions), a conversation per pair.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "http_client.h"

namespace relayer::bench {

// Reads DIR/dev/app.json (written by `relayer serve --dev`); empty error = ok.
std::string ReadDevAppId(const std::string& data_dir, std::string& app_id);
// A scenario's server: `url` parsed (loopback only) and the dev app of its `data_dir`.
std::string ResolveDevServer(const std::string& url, const std::string& data_dir, Target& target,
                             std::string& app_id);

struct LoginResult {
  std::string session_token;  // empty on failure
  std::string error;
};

// `app_id` and `user_id` must outlive the awaitable.
boost::asio::awaitable<LoginResult> Login(HttpClient& client, const std::string& app_id,
                                          const std::string& user_id);

struct ConversationResult {
  std::string id;  // layer:///conversations/UUID; empty on failure
  std::string error;
};

// A distinct conversation of the session's user and `other_user` (201 or 200 if it exists).
boost::asio::awaitable<ConversationResult> CreateConversation(HttpClient& client,
                                                              const std::string& session_token,
                                                              const std::string& other_user);
// A conversation of the session's user and `others` (which must outlive the awaitable).
boost::asio::awaitable<ConversationResult> CreateGroupConversation(
    HttpClient& client, const std::string& session_token, const std::vector<std::string>* others,
    bool distinct);

// "layer:///conversations/UUID" → "UUID".
std::string Uuid(const std::string& layer_id);

}  // namespace relayer::bench
