// Push tokens, push notifications and webhooks, delivered by a real server to a real HTTP
// receiver on loopback (see http_receiver.h).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <map>
#include <set>
#include <thread>

#include "integration/http_receiver.h"
#include "integration/test_server.h"
#include "store/store.h"

namespace relayer::it {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

// The test's own HMAC-SHA1, hex (not the server's code).
std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < len; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

// A WebSocket held open as `token`'s user (the Layer subprotocol), so the hub sees it connected.
class OpenSocket {
 public:
  OpenSocket(uint16_t port, const std::string& token) : ws_(ioc_) {
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    beast::get_lowest_layer(ws_).connect(ep);
    ws_.set_option(beast::websocket::stream_base::decorator([](beast::websocket::request_type& r) {
      r.set(beast::http::field::sec_websocket_protocol, "layer-2.0");
    }));
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/?session_token=" + token);
  }
  ~OpenSocket() {
    boost::system::error_code ec;
    ws_.close(beast::websocket::close_code::normal, ec);
  }

 private:
  asio::io_context ioc_;
  beast::websocket::stream<beast::tcp_stream> ws_;
};

json::object Body(const ReceivedRequest& r) {
  auto v = json::parse(r.body);
  return v.is_object() ? v.as_object() : json::object();
}

std::string EventType(const ReceivedRequest& r) {
  return std::string(Body(r)["event"].as_object()["type"].as_string());
}

constexpr const char* kSecret = "s3cr3t-for-tests";

class DeliveryTest : public ApiTest {
 protected:
  HttpReceiver hooks_;
  HttpReceiver push_;

  void Configure(server::ServerConfig& c) const override {
    c.delivery.push_webhook_url = push_.Url("/push");
    c.delivery.retry_initial_ms = 50;
    c.delivery.retry_max_ms = 200;
    c.delivery.timeout_ms = 2000;
    c.delivery.max_push_tokens_per_user = 3;
    c.delivery.webhook_retry_period_seconds = WebhookRetrySeconds();
    server::WebhookSpec w;
    w.target_url = hooks_.Url("/hook");
    w.secret = kSecret;
    w.config_json = R"({"tenant":"t1"})";
    for (const char* e : kWebhookEventTypes) w.events.push_back(e);
    c.apps.at(0).webhooks.push_back(w);
  }
  virtual int64_t WebhookRetrySeconds() const { return 600; }

  HttpResult RegisterToken(const std::string& session, const std::string& device,
                           const std::string& token) {
    return Post(session, "/push_tokens",
                R"({"token":")" + token + R"(","type":"apns","device_id":")" + device +
                    R"(","apns_bundle_id":"com.example"})");
  }

  std::vector<ReceivedRequest> Pushes() { return push_.Received(); }
  std::vector<ReceivedRequest> Hooks(const std::string& type = "") {
    std::vector<ReceivedRequest> out;
    for (auto& r : hooks_.Received()) {
      if (r.method == "POST" && (type.empty() || EventType(r) == type)) out.push_back(r);
    }
    return out;
  }
};

TEST_F(DeliveryTest, PushTokensAreRegisteredAndDeletedWithLayerErrors) {
  std::string alice = Login("alice");
  auto ok = RegisterToken(alice, "dev-1", "tok-1");
  EXPECT_EQ(ok.status, 202) << Describe(ok);
  EXPECT_TRUE(ok.body.empty());
  auto missing = Post(alice, "/push_tokens", R"({"type":"apns","device_id":"d"})");
  EXPECT_EQ(missing.status, 422) << Describe(missing);
  EXPECT_EQ(missing.ErrorId(), "missing_property");
  auto bad_type = Post(alice, "/push_tokens", R"({"token":"t","type":"APNS!","device_id":"d"})");
  EXPECT_EQ(bad_type.status, 422) << Describe(bad_type);
  EXPECT_EQ(bad_type.ErrorId(), "invalid_property");
  auto not_string = Post(alice, "/push_tokens", R"({"token":5,"type":"gcm","device_id":"d"})");
  EXPECT_EQ(not_string.status, 422) << Describe(not_string);
  auto unknown = Post(alice, "/push_tokens", R"({"token":"t","type":"gcm","device_id":"d","x":1})");
  EXPECT_EQ(unknown.status, 422) << Describe(unknown);
  auto huge = RegisterToken(alice, "dev-2", std::string(5000, 'x'));
  EXPECT_EQ(huge.status, 422) << Describe(huge);
  EXPECT_EQ(Post(alice, "/push_tokens", "not json").status, 400);
  EXPECT_EQ(Post("", "/push_tokens", R"({"token":"t","type":"gcm","device_id":"d"})").status, 401);

  std::string bob = Login("bob");
  // Someone else's device is not found for bob; alice deletes her own.
  EXPECT_EQ(Delete(bob, "/push_tokens/dev-1").status, 404);
  EXPECT_EQ(Delete(alice, "/push_tokens/dev-1").status, 202);
  auto again = Delete(alice, "/push_tokens/dev-1");
  EXPECT_EQ(again.status, 404) << Describe(again);
  EXPECT_EQ(again.ErrorId(), "not_found");
}

TEST_F(DeliveryTest, PushGoesOnlyToRecipientsWithoutASocketWithTheirOverrides) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  std::string carol = Login("carol");
  ASSERT_EQ(RegisterToken(bob, "bob-phone", "tok-bob").status, 202);
  ASSERT_EQ(RegisterToken(carol, "carol-phone", "tok-carol").status, 202);
  ASSERT_EQ(RegisterToken(alice, "alice-phone", "tok-alice").status, 202);
  std::string conv = CreateConversation(alice, {"bob", "carol"});
  auto carol_socket = std::make_unique<OpenSocket>(server().port(), carol);
  auto sent = Post(alice, "/conversations/" + conv + "/messages",
                   R"({"parts":[{"mime_type":"text/plain","body":"hello"}],)"
                   R"("notification":{"text":"Alice: hello","title":"Chat","sound":"ding",)"
                   R"("recipients":{"bob":{"text":"Bob, Alice says hello"}}}})");
  ASSERT_EQ(sent.status, 201) << Describe(sent);
  ASSERT_TRUE(PollUntil([&] { return push_.Count() >= 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // room for a wrong extra push
  auto pushes = Pushes();
  ASSERT_EQ(pushes.size(), 1u);
  json::object p = Body(pushes[0]);
  EXPECT_EQ(p["user_id"], "bob");
  EXPECT_EQ(p["device_id"], "bob-phone");
  EXPECT_EQ(p["token"], "tok-bob");
  EXPECT_EQ(p["type"], "apns");
  EXPECT_EQ(p["apns_bundle_id"], "com.example");
  EXPECT_EQ(p["text"], "Bob, Alice says hello");
  EXPECT_EQ(p["title"], "Chat");
  EXPECT_EQ(p["sound"], "ding");
  EXPECT_EQ(p["message_id"], json::value(sent.Str("id")));
  EXPECT_EQ(p["conversation_id"], json::value("layer:///conversations/" + conv));
  EXPECT_EQ(p["app_id"], json::value(server().app_id()));
  EXPECT_EQ(pushes[0].Header("content-type"), "application/json");
  EXPECT_FALSE(pushes[0].Header("relayer-push-request-id").empty());

  // Without her socket carol gets the next one, with the shared text.
  carol_socket.reset();
  ASSERT_TRUE(PollUntil([&] {
    auto r = Post(alice, "/conversations/" + conv + "/messages",
                  R"({"parts":[{"mime_type":"text/plain","body":"again"}],)"
                  R"("notification":{"text":"Alice: again"}})");
    return r.status == 201 && PollUntil(
                                  [&] {
                                    for (auto& x : Pushes()) {
                                      if (Body(x)["user_id"] == "carol") return true;
                                    }
                                    return false;
                                  },
                                  1000);
  }));
  for (auto& x : Pushes()) {
    if (Body(x)["user_id"] == "carol") {
      EXPECT_EQ(Body(x)["text"], "Alice: again");
    }
    EXPECT_NE(Body(x)["user_id"], "alice");  // never the sender
  }
}

TEST_F(DeliveryTest, TheLeastRecentlyUsedTokenIsEvictedPastTheLimit) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  for (const char* d : {"d1", "d2", "d3"}) {
    ASSERT_EQ(RegisterToken(bob, d, std::string("t-") + d).status, 202);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(RegisterToken(bob, "d1", "t-d1").status, 202);  // d1 used again: d2 is now oldest
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(RegisterToken(bob, "d4", "t-d4").status, 202);  // limit 3: d2 goes
  std::string conv = CreateConversation(alice, {"bob"});
  ASSERT_EQ(Post(alice, "/conversations/" + conv + "/messages",
                 R"({"parts":[{"mime_type":"text/plain","body":"x"}],"notification":{"text":"x"}})")
                .status,
            201);
  ASSERT_TRUE(PollUntil([&] { return push_.Count() >= 3; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::set<std::string> devices;
  for (auto& r : Pushes()) devices.insert(std::string(Body(r)["device_id"].as_string()));
  EXPECT_EQ(devices, (std::set<std::string>{"d1", "d3", "d4"}));
}

TEST_F(DeliveryTest, WebhookEventsCarryLayerHeadersAndAVerifiableSignature) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  std::string conv = CreateConversation(alice, {"bob"}, false, R"({"topic":"a"})");
  auto msg = SendText(alice, conv, "hello");
  std::string mid = Uuid(std::string(msg["id"].as_string()));
  ASSERT_EQ(Post(bob, "/messages/" + mid + "/receipts", R"({"type":"delivery"})").status, 204);
  ASSERT_EQ(Post(bob, "/messages/" + mid + "/receipts", R"({"type":"read"})").status, 204);
  ASSERT_EQ(Patch(alice, "/conversations/" + conv,
                  R"([{"operation":"set","property":"metadata.topic","value":"b"}])")
                .status,
            204);
  ASSERT_EQ(Patch(alice, "/conversations/" + conv,
                  R"([{"operation":"add","property":"participants","id":"carol"}])")
                .status,
            204);
  ASSERT_EQ(Delete(alice, "/messages/" + mid + "?mode=all_participants").status, 204);
  ASSERT_EQ(Delete(alice, "/conversations/" + conv + "?mode=all_participants").status, 204);
  const std::vector<std::string> expected = {"conversation.created",
                                             "message.sent",
                                             "message.delivered",
                                             "message.read",
                                             "conversation.updated.metadata",
                                             "conversation.updated.participants",
                                             "message.deleted",
                                             "conversation.deleted"};
  ASSERT_TRUE(PollUntil([&] { return Hooks().size() >= expected.size(); }));
  auto hooks = Hooks();
  std::vector<std::string> types;
  std::set<std::string> request_ids;
  for (auto& r : hooks) {
    types.push_back(EventType(r));
    EXPECT_EQ(r.Header("layer-webhook-signature"), Hmac(kSecret, r.body));
    EXPECT_EQ(r.Header("content-type"), "application/vnd.layer.webhooks+json; version=1.0");
    EXPECT_EQ(r.Header("layer-webhook-event-type"), EventType(r));
    EXPECT_TRUE(request_ids.insert(r.Header("layer-webhook-request-id")).second);
    EXPECT_EQ(r.Header("layer-webhook-id").size(), 36u);
    EXPECT_EQ(r.target, "/hook");
    json::object b = Body(r);
    EXPECT_EQ(b["config"].as_object()["tenant"], "t1");
    EXPECT_EQ(b["event"].as_object()["id"].as_string().size(), 36u);
    EXPECT_FALSE(b["event"].as_object()["created_at"].as_string().empty());
  }
  EXPECT_EQ(types, expected);
  json::object sent = Body(hooks[1]);
  EXPECT_EQ(sent["event"].as_object()["actor"].as_object()["user_id"], "alice");
  json::object m = sent["message"].as_object();
  EXPECT_EQ(m["id"], json::value("layer:///messages/" + mid));
  EXPECT_EQ(m["parts"].as_array()[0].as_object()["body"], "hello");
  EXPECT_EQ(m["sender"].as_object()["user_id"], "alice");
  EXPECT_EQ(m["recipient_status"].as_object()["bob"], "sent");
  EXPECT_EQ(Body(hooks[3])["event"].as_object()["actor"].as_object()["user_id"], "bob");
  EXPECT_EQ(Body(hooks[3])["message"].as_object()["recipient_status"].as_object()["bob"], "read");
  json::object created = Body(hooks[0])["conversation"].as_object();
  EXPECT_EQ(created["participants"], json::parse(R"(["alice","bob"])"));
  EXPECT_EQ(created["metadata"].as_object()["topic"], "a");
  EXPECT_EQ(Body(hooks[4])["conversation"].as_object()["metadata"].as_object()["topic"], "b");
  EXPECT_EQ(Body(hooks[5])["conversation"].as_object()["participants"],
            json::parse(R"(["alice","bob","carol"])"));
  // The deleted message and conversation are described as they were.
  EXPECT_EQ(Body(hooks[6])["message"].as_object()["parts"].as_array()[0].as_object()["body"],
            "hello");
  EXPECT_EQ(Body(hooks[7])["conversation"].as_object()["id"],
            json::value("layer:///conversations/" + conv));
}

// Every acknowledged event reaches a receiver that fails and is down for a while, in order, and
// a request id seen again is only ever a retry of the same request (same body).
TEST_F(DeliveryTest, AReceiverThatFailsThenComesBackGetsEveryEventInOrder) {
  hooks_.SetStatus(500);
  std::string alice = Login("alice");
  std::string conv = CreateConversation(alice, {"bob"});
  for (int i = 0; i < 3; ++i) SendText(alice, conv, "m" + std::to_string(i));
  ASSERT_TRUE(PollUntil([&] { return hooks_.Count() >= 3; }));  // failing attempts
  hooks_.Stop();                                                // and now down
  for (int i = 3; i < 6; ++i) SendText(alice, conv, "m" + std::to_string(i));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  hooks_.SetStatus(204);
  hooks_.Start();
  ASSERT_TRUE(PollUntil(
      [&] {
        size_t ok = 0;
        for (auto& r : hooks_.Received()) ok += r.answered == 204;
        return ok >= 7;
      },
      15000));
  std::map<std::string, std::string> body_of;
  std::vector<std::string> delivered;
  for (auto& r : hooks_.Received()) {
    auto id = r.Header("layer-webhook-request-id");
    auto [it, fresh] = body_of.emplace(id, r.body);
    EXPECT_EQ(it->second, r.body) << "request id " << id << " reused for another body";
    if (r.answered == 204) delivered.push_back(id);
  }
  // Each event delivered exactly once here (one request id each), every id seen got delivered.
  EXPECT_EQ(delivered.size(), 7u);
  EXPECT_EQ(std::set<std::string>(delivered.begin(), delivered.end()).size(), 7u);
  EXPECT_EQ(body_of.size(), 7u);
  std::vector<std::string> texts;
  for (const auto& id : delivered) {
    json::object b = json::parse(body_of[id]).as_object();
    if (b["event"].as_object()["type"] != "message.sent") continue;
    texts.emplace_back(
        b["message"].as_object()["parts"].as_array()[0].as_object()["body"].as_string());
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4", "m5"}));
}

TEST_F(DeliveryTest, PendingDeliveriesSurviveARestart) {
  hooks_.SetStatus(503);
  std::string alice = Login("alice");
  std::string conv = CreateConversation(alice, {"bob"});
  for (int i = 0; i < 3; ++i) SendText(alice, conv, "r" + std::to_string(i));
  ASSERT_TRUE(PollUntil([&] { return hooks_.Count() >= 1; }));
  RestartServer();
  hooks_.SetStatus(204);
  ASSERT_TRUE(PollUntil(
      [&] {
        std::set<std::string> ok;
        for (auto& r : hooks_.Received()) {
          if (r.answered == 204) ok.insert(r.Header("layer-webhook-request-id"));
        }
        return ok.size() >= 4;
      },
      15000));
  std::vector<std::string> texts;
  std::set<std::string> seen;
  for (auto& r : hooks_.Received()) {
    if (r.answered != 204 || !seen.insert(r.Header("layer-webhook-request-id")).second) continue;
    json::object b = Body(r);
    if (b["event"].as_object()["type"] == "message.sent") {
      texts.emplace_back(
          b["message"].as_object()["parts"].as_array()[0].as_object()["body"].as_string());
    }
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"r0", "r1", "r2"}));
}

class ShortRetryDeliveryTest : public DeliveryTest {
 protected:
  int64_t WebhookRetrySeconds() const override { return 1; }
};

TEST_F(ShortRetryDeliveryTest, AWebhookThatNeverRecoversBecomesInactive) {
  hooks_.SetStatus(500);
  std::string alice = Login("alice");
  CreateConversation(alice, {"bob"});
  auto status = [&]() -> std::optional<Webhook> {
    SqliteOptions o;
    o.path = server().data_dir() + "/relayer.db";
    auto store = OpenSqliteStore(o);
    if (!store.ok()) return std::nullopt;
    auto hooks = (*store)->ListWebhooks(AppId(server().app_uuid()));
    if (!hooks.ok() || hooks->empty()) return std::nullopt;
    return hooks->front();
  };
  ASSERT_TRUE(PollUntil(
      [&] {
        auto w = status();
        return w && w->status == WebhookStatus::kInactive;
      },
      10000));
  auto w = status();
  EXPECT_NE(w->status_reason.find("HTTP 500"), std::string::npos) << w->status_reason;
  // Inactive: no more attempts.
  const size_t attempts = hooks_.Count();
  EXPECT_GE(attempts, 3u);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(hooks_.Count(), attempts);
}

}  // namespace
}  // namespace relayer::it
