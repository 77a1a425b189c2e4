#include "sdk/sdk_fixture.h"

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>

namespace relayer::sdk::test {

namespace json = boost::json;

void SdkTest::SetUp() {
  auto port = port_;
  // Port 0 the first time; the same port on every restart (the SDK's URL does not change).
  server_ = std::make_unique<it::TestServer>(Limits{}, [port](server::ServerConfig& c) {
    if (*port != 0) c.listen = "127.0.0.1:" + std::to_string(*port);
  });
  ASSERT_TRUE(server_->running());
  *port_ = server_->port();
}

void SdkTest::TearDown() {
  server_.reset();
  for (const auto& f : temp_files_) {
    std::error_code ec;
    std::filesystem::remove(f, ec);
    std::filesystem::remove(f + "-wal", ec);
    std::filesystem::remove(f + "-shm", ec);
  }
}

std::string SdkTest::TempPath(const std::string& name) {
  auto path = (std::filesystem::path(server_->data_dir()).parent_path() /
               (std::filesystem::path(server_->data_dir()).filename().string() + "-" + name))
                  .string();
  temp_files_.push_back(path);
  return path;
}

ClientOptions SdkTest::Options(const std::string& queue_path) {
  ClientOptions o;
  o.app_id = server_->app_id();
  o.server_url = "http://127.0.0.1:" + std::to_string(*port_);
  o.queue_path = queue_path;
  o.initial_backoff = std::chrono::milliseconds(50);
  o.max_backoff = std::chrono::milliseconds(500);
  o.request_timeout = std::chrono::milliseconds(5000);
  it::TestServer* srv = server_.get();
  // The app's backend: signs `user`'s claims with the test key (RSA signing is slow: a thread).
  o.identity_token = [srv](const std::string& nonce, const std::string& user,
                           Callback<std::string> done) {
    std::thread([srv, nonce, user, done = std::move(done)] {
      done(it::SignToken(it::ValidClaims(*srv, user, nonce)));
    }).detach();
  };
  return o;
}

std::unique_ptr<Client> SdkTest::NewClient(const std::string& queue_path) {
  return std::make_unique<Client>(Options(queue_path));
}

std::pair<StatusCallback, std::future<Status>> StatusPromise() {
  auto p = std::make_shared<std::promise<Status>>();
  auto f = p->get_future();
  auto once = std::make_shared<std::once_flag>();
  return {[p, once](const Status& s) { std::call_once(*once, [&] { p->set_value(s); }); },
          std::move(f)};
}

Status SdkTest::Wait(std::future<Status>& f, int timeout_ms) {
  if (f.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready)
    return Status(StatusCode::kCancelled, "timed out");
  return f.get();
}

std::unique_ptr<Client> SdkTest::Connected(const std::string& user, const std::string& queue_path) {
  auto client = NewClient(queue_path);
  auto [cb, f] = StatusPromise();
  client->connect(user, cb);
  Status s = Wait(f);
  EXPECT_TRUE(s.ok()) << user << ": " << s.ToString();
  return client;
}

std::vector<std::string> SdkTest::MessageTexts(const std::string& user,
                                               const std::string& conv_id) {
  it::HttpClient http(port());
  auto nonce = http.Send("POST", "/nonces", {{"Accept", std::string(it::kAccept)}});
  auto token = it::SignToken(it::ValidClaims(*server_, user, nonce.Str("nonce")));
  json::object body{{"identity_token", token}, {"app_id", server_->app_id()}};
  auto session =
      http.Send("POST", "/sessions",
                {{"Accept", std::string(it::kAccept)}, {"Content-Type", "application/json"}},
                json::serialize(body));
  it::Headers auth{
      {"Accept", std::string(it::kAccept)},
      {"Authorization", "Layer session-token=\"" + session.Str("session_token") + "\""}};
  auto res =
      http.Send("GET", "/conversations/" + it::Uuid(conv_id) + "/messages?page_size=100", auth);
  std::vector<std::string> texts;
  for (const auto& m : res.Array()) {
    const auto& parts = m.as_object().at("parts").as_array();
    texts.emplace_back(parts.at(0).as_object().at("body").as_string());
  }
  std::reverse(texts.begin(), texts.end());  // oldest first
  return texts;
}

}  // namespace relayer::sdk::test
