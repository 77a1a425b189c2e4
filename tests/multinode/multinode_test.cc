// Two real servers ("nodes") on one PostgreSQL database and one Redis (RELAYER_TEST_PG and
// RELAYER_TEST_REDIS from scripts/services.sh; skipped with a message when unset): what is
// written through node A reaches a WebSocket on node B, in order, with contiguous counters.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "integration/test_server.h"
#include "server/auth/crypto.h"
#include "store/postgres/connection.h"

namespace relayer::it {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using namespace std::chrono_literals;

// A Layer WebSocket of one user on one node; reads one packet at a time with a deadline.
class Socket {
 public:
  Socket(uint16_t port, const std::string& token) : ws_(ioc_) {
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    beast::get_lowest_layer(ws_).connect(ep);
    ws_.set_option(beast::websocket::stream_base::decorator([](beast::websocket::request_type& r) {
      r.set(beast::http::field::sec_websocket_protocol, "layer-2.0");
    }));
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/?session_token=" + token);
  }
  ~Socket() {
    boost::system::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

  // The next packet, or null when none came within `timeout` (the read stays pending, so a
  // later call still gets it) or the socket failed.
  json::value Next(std::chrono::milliseconds timeout) {
    if (failed_) return nullptr;
    if (!reading_) {
      reading_ = true;
      done_.reset();
      ws_.async_read(buffer_, [this](boost::system::error_code ec, size_t) { done_ = ec; });
    }
    ioc_.restart();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done_ && std::chrono::steady_clock::now() < deadline) {
      ioc_.run_one_until(deadline);
    }
    if (!done_) return nullptr;
    reading_ = false;
    if (*done_) {
      failed_ = true;
      return nullptr;
    }
    json::value v = json::parse(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    return v;
  }

 private:
  asio::io_context ioc_;
  beast::websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::optional<boost::system::error_code> done_;
  bool reading_ = false;
  bool failed_ = false;
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class MultiNodeTest : public ApiTest {
 protected:
  void SetUp() override {
    pg_ = Env("RELAYER_TEST_PG");
    redis_ = Env("RELAYER_TEST_REDIS");
    if (pg_.empty() || redis_.empty()) {
      GTEST_SKIP() << "RELAYER_TEST_PG or RELAYER_TEST_REDIS unset: source scripts/services.sh";
    }
    // A schema of this test's own on the shared database.
    schema_ = "it_multinode_" + server::RandomUuid().substr(0, 8);
    auto admin = pg::Connection::Open(pg_, 10);
    ASSERT_TRUE(admin.ok()) << admin.status().message();
    ASSERT_TRUE((*admin)->Execute("CREATE SCHEMA " + schema_).ok());
    ApiTest::SetUp();
    node_b_ = std::make_unique<TestServer>(
        TestLimits(), [this](server::ServerConfig& c) { Configure(c); }, server().app());
    ASSERT_TRUE(node_b_->running());
  }
  void TearDown() override {
    node_b_.reset();
    ApiTest::TearDown();
    if (!schema_.empty()) {
      if (auto admin = pg::Connection::Open(pg_, 10); admin.ok()) {
        (void)(*admin)->Execute("DROP SCHEMA " + schema_ + " CASCADE");
      }
    }
  }
  void Configure(server::ServerConfig& c) const override {
    c.store = pg_ + (pg_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
              schema_;
    c.redis = redis_;
    // The app comes with the server's AppConfig alone: config-file apps have their webhooks
    // synced into the store at start, which PgStore does not implement yet.
    c.apps.clear();
  }

  std::string pg_, redis_, schema_;
  std::unique_ptr<TestServer> node_b_;
};

// The body of a change packet naming a Message create, or null.
const json::object* MessageCreate(const json::value& packet) {
  if (!packet.is_object()) return nullptr;
  const auto& p = packet.as_object();
  if (p.at("type") != "change") return nullptr;
  const auto& body = p.at("body").as_object();
  if (body.at("operation") != "create" || body.at("object").at("type") != "Message") {
    return nullptr;
  }
  return &body.at("data").as_object();
}

std::string FirstPartBody(const json::object& message) {
  return std::string(message.at("parts").as_array().at(0).at("body").as_string());
}

TEST_F(MultiNodeTest, MessagesWrittenOnOneNodeReachASocketOnTheOtherInOrder) {
  // Sessions live in the shared store: a token from node A works on node B.
  const std::string alice = Login("alice");
  const std::string bob = Login("bob");
  const std::string conv = CreateConversation(alice, {"bob"});
  ASSERT_FALSE(conv.empty());
  Socket socket(node_b_->port(), bob);
  // B subscribes to bob's channel once his socket is open; until Redis has confirmed it, a
  // message is only the client's replay. Send until one arrives live, then count from there.
  int64_t counter = -1;
  bool live = false;
  for (int attempt = 0; attempt < 50 && !live; ++attempt) {
    SendText(alice, conv, "warm-up");
    for (json::value p = socket.Next(300ms); !p.is_null(); p = socket.Next(300ms)) {
      counter = p.at("counter").as_int64();
      if (MessageCreate(p)) live = true;
      if (live) break;
    }
  }
  ASSERT_TRUE(live) << "node B never delivered a message written on node A";
  // Drain the rest of the warm-up.
  for (json::value p = socket.Next(500ms); !p.is_null(); p = socket.Next(500ms)) {
    counter = p.at("counter").as_int64();
  }
  constexpr int kMessages = 30;
  for (int i = 0; i < kMessages; ++i) SendText(alice, conv, "m" + std::to_string(i));
  int next = 0;
  while (next < kMessages) {
    json::value p = socket.Next(5s);
    ASSERT_FALSE(p.is_null()) << "missing message m" << next;
    EXPECT_EQ(p.at("counter").as_int64(), counter + 1);  // no packet lost or repeated
    counter = p.at("counter").as_int64();
    const json::object* m = MessageCreate(p);
    if (!m) continue;  // the conversation's last_message update
    EXPECT_EQ(FirstPartBody(*m), "m" + std::to_string(next));
    EXPECT_EQ(m->at("is_unread"), true);  // rendered for bob, not for its sender
    ++next;
  }
  // Each message is one create and one last_message update; nothing comes twice.
  json::value extra = socket.Next(300ms);
  if (!extra.is_null()) {
    EXPECT_EQ(MessageCreate(extra), nullptr) << json::serialize(extra);
    EXPECT_TRUE(socket.Next(300ms).is_null());
  }
}

TEST_F(MultiNodeTest, ARedisAddressWithoutASharedStoreIsRefused) {
  server::ServerConfig config;
  config.data_dir = node_b_->data_dir() + "-sqlite";
  config.listen = "127.0.0.1:0";
  config.redis = redis_;
  server::AppSpec spec;
  spec.id = server().app_uuid();
  spec.provider_id = server().provider_id();
  config.apps.push_back(spec);
  auto started = server::Server::Start(config);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find("--redis needs a shared store"), std::string::npos)
      << started.status().message();
  std::error_code ec;
  std::filesystem::remove_all(config.data_dir, ec);
}

}  // namespace
}  // namespace relayer::it
