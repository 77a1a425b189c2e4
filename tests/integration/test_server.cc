#include "integration/test_server.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace relayer::it {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

const server::RsaKeyPair& TestKeys() {
  static const server::RsaKeyPair* keys = [] {
    auto pair = server::GenerateRsaKeyPair(2048);
    if (!pair.ok()) std::abort();
    return new server::RsaKeyPair(std::move(*pair));
  }();
  return *keys;
}

// ---- HttpResult -------------------------------------------------------------------------------

namespace {
bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}
const json::value kNull;
const json::array kEmptyArray;
}  // namespace

std::string HttpResult::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsNoCase(k, name)) return v;
  }
  return "";
}

bool HttpResult::HasHeader(std::string_view name) const {
  for (const auto& h : headers) {
    if (EqualsNoCase(h.first, name)) return true;
  }
  return false;
}

const json::value& HttpResult::At(std::string_view key) const {
  if (!json.is_object()) return kNull;
  const auto* v = json.as_object().if_contains(key);
  return v ? *v : kNull;
}

std::string HttpResult::Str(std::string_view key) const {
  const auto& v = At(key);
  return v.is_string() ? std::string(v.as_string()) : "";
}

int64_t HttpResult::Code() const {
  const auto& v = At("code");
  return v.is_int64() ? v.as_int64() : -1;
}

const json::array& HttpResult::Array() const {
  return json.is_array() ? json.as_array() : kEmptyArray;
}

std::string Describe(const HttpResult& r) {
  return "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 600);
}

// ---- HttpClient -------------------------------------------------------------------------------

struct HttpClient::Impl {
  uint16_t port;
  asio::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  int connections = 0;

  void Close() {
    if (!stream) return;
    boost::system::error_code ec;
    stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    stream->socket().close(ec);
    stream.reset();
    buffer.clear();
  }

  bool Connect() {
    Close();
    stream = std::make_unique<beast::tcp_stream>(ioc);
    boost::system::error_code ec;
    stream->socket().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) {
      stream.reset();
      return false;
    }
    ++connections;
    return true;
  }
};

HttpClient::HttpClient(uint16_t port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
HttpClient::~HttpClient() { impl_->Close(); }
int HttpClient::connections() const { return impl_->connections; }

HttpResult HttpClient::Send(std::string_view method, std::string_view target,
                            const Headers& headers, std::optional<std::string> body) {
  auto& d = *impl_;
  http::request<http::string_body> req;
  http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    req.method_string(method);
  } else {
    req.method(verb);
  }
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(d.port));
  for (const auto& [k, v] : headers) req.set(k, v);
  if (body) {
    req.body() = *body;
    req.prepare_payload();
  }
  req.keep_alive(true);

  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = d.stream != nullptr;
    if (!reused && !d.Connect()) return {};
    boost::system::error_code ec;
    // Bounded, so a server that never answers fails the test instead of hanging it.
    d.stream->expires_after(std::chrono::seconds(20));
    http::write(*d.stream, req, ec);
    if (ec) {
      d.Close();
      if (reused) continue;
      return {};
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (method == "HEAD") parser.skip(true);
    http::read(*d.stream, d.buffer, parser, ec);
    if (ec) {
      d.Close();
      // A kept-alive connection the server had closed: retry once on a fresh one.
      if (reused && (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                     ec == asio::error::eof)) {
        continue;
      }
      return {};
    }
    auto res = parser.release();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.emplace_back(f.name_string(), f.value());
    out.body = std::move(res.body());
    if (!out.body.empty()) {
      boost::system::error_code jec;
      auto v = json::parse(out.body, jec);
      if (!jec) out.json = std::move(v);
    }
    if (!res.keep_alive()) d.Close();
    return out;
  }
  return {};
}

std::string RawExchange(uint16_t port, const std::string& bytes) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  boost::system::error_code ec;
  stream.socket().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return "";
  stream.expires_after(std::chrono::seconds(20));
  asio::write(stream, asio::buffer(bytes), ec);
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::string out;
  char buf[4096];
  for (;;) {
    size_t n = stream.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

// ---- TestServer -------------------------------------------------------------------------------

TestServer::TestServer(Limits limits, Tweak tweak, std::optional<TestApp> app)
    : limits_(limits), tweak_(std::move(tweak)) {
  app_uuid_ = app ? app->uuid : server::RandomUuid();
  provider_id_ = app ? app->provider_id : "layer:///providers/" + server::RandomUuid();
  data_dir_ =
      (std::filesystem::temp_directory_path() / ("relayer-it-" + server::RandomUuid())).string();
  Start();
}

TestServer::~TestServer() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

void TestServer::Start() {
  if (server_) return;
  server::ServerConfig config;
  config.data_dir = data_dir_;
  config.listen = "127.0.0.1:0";
  config.threads = 2;
  config.blocking_threads = 2;
  config.limits = limits_;
  // The test app as the config file would name it (keys come with the AppConfig below), so a
  // tweak can attach per-app settings such as webhooks to config.apps[0].
  server::AppSpec spec;
  spec.id = app_uuid_;
  spec.provider_id = provider_id_;
  config.apps.push_back(spec);
  if (tweak_) tweak_(config);
  server::AppConfig app;
  app.id = AppId(app_uuid_);
  app.provider_id = provider_id_;
  app.platform_tokens = {std::string(kPlatformToken)};
  if (auto s = app.keys->add(kKid, TestKeys().public_pem); !s.ok()) {
    ADD_FAILURE() << "test key rejected: " << s.message();
    return;
  }
  std::vector<server::AppConfig> apps;
  apps.push_back(std::move(app));
  auto started = server::Server::Start(config, std::move(apps));
  if (!started.ok()) {
    ADD_FAILURE() << "server did not start: " << started.status().message();
    return;
  }
  server_ = std::move(*started);
}

void TestServer::Stop() {
  if (!server_) return;
  server_->Stop();
  server_.reset();
}

uint16_t TestServer::port() const { return server_ ? server_->port() : 0; }

// ---- Tokens and ids ---------------------------------------------------------------------------

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

server::IdentityClaims ValidClaims(const TestServer& server, const std::string& user,
                                   const std::string& nonce) {
  server::IdentityClaims c;
  c.iss = server.provider_id();
  c.prn = user;
  c.nce = nonce;
  c.iat = NowSeconds();
  c.exp = c.iat + 600;
  return c;
}

std::string SignToken(const server::IdentityClaims& claims, std::string_view kid) {
  auto token = server::SignIdentityToken(TestKeys().private_pem, kid, claims);
  if (!token.ok()) {
    ADD_FAILURE() << "signing failed: " << token.status().message();
    return "";
  }
  return *token;
}

std::string SignRawJwt(const std::string& header_json, const std::string& payload_json) {
  std::string input =
      server::Base64UrlEncode(header_json) + "." + server::Base64UrlEncode(payload_json);
  auto sig = server::SignRs256(TestKeys().private_pem, input);
  if (!sig.ok()) {
    ADD_FAILURE() << "signing failed: " << sig.status().message();
    return "";
  }
  return input + "." + server::Base64UrlEncode(*sig);
}

std::string Uuid(std::string_view layer_id) {
  auto slash = layer_id.rfind('/');
  return std::string(slash == std::string_view::npos ? layer_id : layer_id.substr(slash + 1));
}

std::string IdentityId(std::string_view user) { return "layer:///identities/" + std::string(user); }

bool PollUntil(const std::function<bool()>& condition, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// ---- ApiTest ----------------------------------------------------------------------------------

void ApiTest::SetUp() {
  server_ =
      std::make_unique<TestServer>(TestLimits(), [this](server::ServerConfig& c) { Configure(c); });
  ASSERT_TRUE(server_->running());
  client_ = std::make_unique<HttpClient>(server_->port());
}

void ApiTest::TearDown() {
  client_.reset();
  server_.reset();
}

void ApiTest::RestartServer() {
  client_.reset();
  server_->Restart();
  ASSERT_TRUE(server_->running());
  client_ = std::make_unique<HttpClient>(server_->port());
}

HttpResult ApiTest::Call(std::string_view method, std::string_view target, const std::string& token,
                         std::optional<std::string> body, Headers extra) {
  Headers headers{{"Accept", std::string(kAccept)}};
  if (!token.empty())
    headers.emplace_back("Authorization", "Layer session-token=\"" + token + "\"");
  for (auto& h : extra) headers.push_back(std::move(h));
  return client_->Send(method, target, headers, std::move(body));
}

std::string ApiTest::NewNonce() {
  auto r = client_->Send("POST", "/nonces", {{"Accept", std::string(kAccept)}});
  EXPECT_EQ(r.status, 201) << Describe(r);
  return r.Str("nonce");
}

HttpResult ApiTest::StartSession(const std::string& identity_token) {
  json::object body;
  body["identity_token"] = identity_token;
  body["app_id"] = server_->app_id();
  return Call("POST", "/sessions", "", json::serialize(body),
              {{"Content-Type", "application/json"}});
}

std::string ApiTest::Login(const std::string& user,
                           const std::function<void(server::IdentityClaims&)>& edit) {
  auto claims = ValidClaims(*server_, user, NewNonce());
  if (edit) edit(claims);
  auto r = StartSession(SignToken(claims));
  EXPECT_EQ(r.status, 201) << "login of " << user << ": " << Describe(r);
  std::string token = r.Str("session_token");
  EXPECT_FALSE(token.empty());
  return token;
}

std::string ApiTest::CreateConversation(const std::string& token,
                                        const std::vector<std::string>& others, bool distinct,
                                        const std::string& metadata_json) {
  json::object body;
  json::array participants;
  for (const auto& o : others) participants.emplace_back(IdentityId(o));
  body["participants"] = std::move(participants);
  body["distinct"] = distinct;
  if (!metadata_json.empty()) body["metadata"] = json::parse(metadata_json);
  auto r = Post(token, "/conversations", json::serialize(body));
  EXPECT_TRUE(r.status == 201 || r.status == 200) << Describe(r);
  return Uuid(r.Str("id"));
}

json::object ApiTest::SendText(const std::string& token, const std::string& conv_uuid,
                               const std::string& text) {
  json::object part;
  part["mime_type"] = "text/plain";
  part["body"] = text;
  json::object body;
  body["parts"] = json::array{part};
  auto r = Post(token, "/conversations/" + conv_uuid + "/messages", json::serialize(body));
  EXPECT_EQ(r.status, 201) << Describe(r);
  return r.json.is_object() ? r.json.as_object() : json::object();
}

json::object ApiTest::GetConversation(const std::string& token, const std::string& conv_uuid) {
  auto r = Get(token, "/conversations/" + conv_uuid);
  EXPECT_EQ(r.status, 200) << Describe(r);
  return r.json.is_object() ? r.json.as_object() : json::object();
}

json::object ApiTest::GetMessage(const std::string& token, const std::string& msg_uuid) {
  auto r = Get(token, "/messages/" + msg_uuid);
  EXPECT_EQ(r.status, 200) << Describe(r);
  return r.json.is_object() ? r.json.as_object() : json::object();
}

}  // namespace relayer::it
