#include "login.h"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace relayer::bench {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

// The string member `key` of a JSON object text, or "".
std::string StringField(const std::string& text, const char* key) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return "";
  const auto* field = v.as_object().if_contains(key);
  if (!field || !field->is_string()) return "";
  return std::string(field->as_string());
}

}  // namespace

std::string ReadDevAppId(const std::string& data_dir, std::string& app_id) {
  const std::string path = data_dir + "/dev/app.json";
  std::ifstream in(path);
  if (!in) return "cannot read " + path + " (start the server with --dev --data " + data_dir + ")";
  std::stringstream text;
  text << in.rdbuf();
  app_id = StringField(text.str(), "app_id");
  if (app_id.empty()) return "no app_id in " + path;
  return "";
}

std::string ResolveDevServer(const std::string& url, const std::string& data_dir, Target& target,
                             std::string& app_id) {
  if (auto e = ParseTarget(url, target); !e.empty()) return e;
  return ReadDevAppId(data_dir, app_id);
}

boost::asio::awaitable<LoginResult> Login(HttpClient& client, const std::string& app_id,
                                          const std::string& user_id) {
  LoginResult out;
  HttpRequest nonce_req{http::verb::post, "/nonces", "", ""};
  auto nonce_aw = client.Send(nonce_req);
  HttpResult nonce_res = co_await std::move(nonce_aw);
  std::string nonce = StringField(nonce_res.body, "nonce");
  if (!nonce_res.ok() || nonce.empty()) {
    out.error = "POST /nonces: " + nonce_res.Describe();
    co_return out;
  }

  json::object token_body;
  token_body["user_id"] = user_id;
  token_body["nonce"] = nonce;
  HttpRequest token_req{http::verb::post, "/dev/identity_tokens", json::serialize(token_body), ""};
  auto token_aw = client.Send(token_req);
  HttpResult token_res = co_await std::move(token_aw);
  std::string identity_token = StringField(token_res.body, "identity_token");
  if (!token_res.ok() || identity_token.empty()) {
    out.error = "POST /dev/identity_tokens: " + token_res.Describe();
    co_return out;
  }

  json::object session_body;
  session_body["identity_token"] = identity_token;
  session_body["app_id"] = app_id;
  HttpRequest session_req{http::verb::post, "/sessions", json::serialize(session_body), ""};
  auto session_aw = client.Send(session_req);
  HttpResult session_res = co_await std::move(session_aw);
  out.session_token = StringField(session_res.body, "session_token");
  if (!session_res.ok() || out.session_token.empty()) {
    out.session_token.clear();
    out.error = "POST /sessions: " + session_res.Describe();
  }
  co_return out;
}

boost::asio::awaitable<ConversationResult> CreateGroupConversation(
    HttpClient& client, const std::string& session_token, const std::vector<std::string>* others,
    bool distinct) {
  ConversationResult out;
  json::array participants;
  for (const auto& user : *others) participants.emplace_back(user);
  json::object body;
  body["participants"] = std::move(participants);
  body["distinct"] = distinct;
  HttpRequest req{http::verb::post, "/conversations", json::serialize(body), session_token};
  auto aw = client.Send(req);
  HttpResult res = co_await std::move(aw);
  out.id = StringField(res.body, "id");
  if (!res.ok() || out.id.rfind("layer:///conversations/", 0) != 0) {
    out.id.clear();
    out.error = "POST /conversations: " + res.Describe();
  }
  co_return out;
}

boost::asio::awaitable<ConversationResult> CreateConversation(HttpClient& client,
                                                              const std::string& session_token,
                                                              const std::string& other_user) {
  std::vector<std::string> others{other_user};
  auto aw = CreateGroupConversation(client, session_token, &others, true);
  ConversationResult r = co_await std::move(aw);
  co_return r;
}

std::string Uuid(const std::string& layer_id) {
  auto slash = layer_id.rfind('/');
  return slash == std::string::npos ? layer_id : layer_id.substr(slash + 1);
}

}  // namespace relayer::bench
