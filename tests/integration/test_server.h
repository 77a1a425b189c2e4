// Integration test harness: a real relayer::server::Server on 127.0.0.1 (port 0, fresh temp data
// folder, one app whose identity tokens are signed by a process-wide test key under kid "k1"),
// a synchronous keep-alive HTTP/1.1 client over Boost.Beast, and a fixture with helpers that
// log users in and call the Client API the way the Layer Web SDK does.
// Not thread-safe: one HttpClient per thread (the fixture's own client is for the test thread).
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/limits.h"
#include "server/app/config.h"
#include "server/app/server.h"
#include "server/auth/crypto.h"
#include "server/auth/jwt.h"

namespace relayer::it {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kAccept = "application/vnd.layer+json; version=2.0";
inline constexpr std::string_view kPatchType = "application/vnd.layer-patch+json";
inline constexpr std::string_view kKid = "k1";
// The test app's Platform API token (also the dashboard's credential).
inline constexpr std::string_view kPlatformToken = "it-platform-token";

// The RSA key pair that signs every identity token of the process (generated once: slow).
const server::RsaKeyPair& TestKeys();

struct HttpResult {
  int status = 0;  // 0: no answer (connection failed)
  Headers headers;
  std::string body;
  json::value json;  // null unless the body parsed as JSON

  // Header value ("" when absent); names compare case-insensitively.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // Field of a JSON object body (null when absent or not an object).
  const json::value& At(std::string_view key) const;
  std::string Str(std::string_view key) const;  // string field or ""
  // A Layer error object's `id` and `code` ("" / -1 when the body is not one).
  std::string ErrorId() const { return Str("id"); }
  int64_t Code() const;
  const json::array& Array() const;  // the body as an array (empty when it is not one)
};

// Prints status and body, for assertion messages.
std::string Describe(const HttpResult& r);

class HttpClient {
 public:
  explicit HttpClient(uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One request on the kept-alive connection (reconnects when the server closed it).
  // `method` may be any token, even one Beast does not know.
  HttpResult Send(std::string_view method, std::string_view target, const Headers& headers = {},
                  std::optional<std::string> body = std::nullopt);
  // TCP connections opened so far (proves keep-alive).
  int connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes `bytes` on a fresh connection, half-closes, and returns everything read until EOF.
std::string RawExchange(uint16_t port, const std::string& bytes);

// Which app a TestServer serves: a fresh one by default, or another server's (two nodes sharing
// one PostgreSQL database serve the same app).
struct TestApp {
  std::string uuid;
  std::string provider_id;
};

class TestServer {
 public:
  using Tweak = std::function<void(server::ServerConfig&)>;
  explicit TestServer(Limits limits = {}, Tweak tweak = {}, std::optional<TestApp> app = {});
  ~TestServer();  // stops and removes the data folder

  void Start();  // on the same data folder (new port)
  void Stop();
  void Restart() {
    Stop();
    Start();
  }
  bool running() const { return server_ != nullptr; }

  uint16_t port() const;
  const std::string& app_uuid() const { return app_uuid_; }
  std::string app_id() const { return "layer:///apps/staging/" + app_uuid_; }
  const std::string& provider_id() const { return provider_id_; }
  TestApp app() const { return TestApp{app_uuid_, provider_id_}; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  Limits limits_;
  Tweak tweak_;
  std::string app_uuid_;
  std::string provider_id_;
  std::string data_dir_;
  std::unique_ptr<server::Server> server_;
};

// Valid claims for `user` (iat now, exp in 10 minutes) from the test app's provider.
server::IdentityClaims ValidClaims(const TestServer& server, const std::string& user,
                                   const std::string& nonce);
// Signs with the test key under kid "k1" (or `kid`).
std::string SignToken(const server::IdentityClaims& claims, std::string_view kid = kKid);
// A JWT with arbitrary header and payload JSON, signed RS256 by the test key.
std::string SignRawJwt(const std::string& header_json, const std::string& payload_json);
int64_t NowSeconds();
int64_t NowMs();

// "layer:///conversations/UUID" -> "UUID".
std::string Uuid(std::string_view layer_id);
std::string IdentityId(std::string_view user);  // "layer:///identities/<user>"

// Starts a server per test; derived fixtures choose limits and config.
class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  virtual Limits TestLimits() const { return Limits{}; }
  virtual void Configure(server::ServerConfig&) const {}

  TestServer& server() { return *server_; }
  HttpClient& client() { return *client_; }
  // Restarts the server on the same data folder and reconnects the client.
  void RestartServer();

  // A request with the Layer Accept header and, when `token` is non-empty, the session.
  HttpResult Call(std::string_view method, std::string_view target, const std::string& token,
                  std::optional<std::string> body = std::nullopt, Headers extra = {});
  HttpResult Get(const std::string& token, std::string_view target) {
    return Call("GET", target, token);
  }
  HttpResult Post(const std::string& token, std::string_view target, const std::string& body) {
    return Call("POST", target, token, body, {{"Content-Type", "application/json"}});
  }
  HttpResult Patch(const std::string& token, std::string_view target, const std::string& body) {
    return Call("PATCH", target, token, body, {{"Content-Type", std::string(kPatchType)}});
  }
  HttpResult Delete(const std::string& token, std::string_view target) {
    return Call("DELETE", target, token);
  }

  std::string NewNonce();  // POST /nonces
  // POST /sessions with `identity_token`; the raw answer.
  HttpResult StartSession(const std::string& identity_token);
  // Logs `user` in (optionally with profile claims); fails the test on any error.
  std::string Login(const std::string& user,
                    const std::function<void(server::IdentityClaims&)>& edit = {});

  // POST /conversations; returns the conversation's UUID ("" and a test failure on error).
  std::string CreateConversation(const std::string& token, const std::vector<std::string>& others,
                                 bool distinct = false, const std::string& metadata_json = "");
  // POST /conversations/UUID/messages with one text/plain part; returns the message object.
  json::object SendText(const std::string& token, const std::string& conv_uuid,
                        const std::string& text);
  json::object GetConversation(const std::string& token, const std::string& conv_uuid);
  json::object GetMessage(const std::string& token, const std::string& msg_uuid);

 private:
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

// Polls `condition` every 10 ms for up to `timeout_ms`; true once it holds.
bool PollUntil(const std::function<bool()>& condition, int timeout_ms = 5000);

}  // namespace relayer::it
