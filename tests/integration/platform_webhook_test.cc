// Platform API webhooks and notifications against a real receiver on loopback.
#include <thread>

#include "integration/http_receiver.h"
#include "integration/test_server.h"

namespace relayer::it {
namespace {

class PlatformWebhooks : public ApiTest {
 protected:
  HttpReceiver receiver_;
  HttpReceiver push_;

  void Configure(server::ServerConfig& c) const override {
    c.delivery.push_webhook_url = push_.Url("/push");
    c.delivery.retry_initial_ms = 50;
    c.delivery.retry_max_ms = 200;
    c.delivery.max_webhooks_per_app = 2;
  }

  HttpResult Platform(std::string_view method, const std::string& path,
                      std::optional<std::string> body = std::nullopt) {
    Headers h{{"Accept", "application/vnd.layer+json; version=1.0"},
              {"Authorization", "Bearer " + std::string(kPlatformToken)}};
    if (body) h.emplace_back("Content-Type", "application/json");
    return client().Send(method, "/apps/" + server().app_uuid() + path, h, std::move(body));
  }

  std::string CreateHook(const std::string& url) {
    auto r = Platform("POST", "/webhooks",
                      R"({"version":"1.0","target_url":")" + url +
                          R"(","events":["message.sent"],"secret":"k","config":{"a":"b"}})");
    EXPECT_EQ(r.status, 201) << Describe(r);
    EXPECT_EQ(r.Str("status"), "unverified");
    return Uuid(r.Str("id"));
  }

  std::string StatusOf(const std::string& id) {
    return Platform("GET", "/webhooks/" + id).Str("status");
  }
};

TEST_F(PlatformWebhooks, AVerifiedWebhookGetsEventsAndCanBeDeactivatedAndDeleted) {
  receiver_.SetResponder([](const ReceivedRequest& r) {
    auto pos = r.target.find("verification_challenge=");
    if (r.method == "GET" && pos != std::string::npos) {
      return std::make_pair(200, r.target.substr(pos + 23));
    }
    return std::make_pair(204, std::string());
  });
  std::string id = CreateHook(receiver_.Url("/hook"));
  ASSERT_TRUE(PollUntil([&] { return StatusOf(id) == "active"; }));
  auto got = Platform("GET", "/webhooks/" + id);
  EXPECT_EQ(got.Str("id"), "layer:///apps/" + server().app_uuid() + "/webhooks/" + id);
  EXPECT_EQ(got.Str("target_url"), receiver_.Url("/hook"));
  EXPECT_EQ(got.At("config").as_object().at("a"), "b");
  EXPECT_EQ(Platform("GET", "/webhooks").Array().size(), 1u);

  std::string alice = Login("alice");
  std::string conv = CreateConversation(alice, {"bob"});
  SendText(alice, conv, "one");
  ASSERT_TRUE(PollUntil([&] {
    for (auto& r : receiver_.Received()) {
      if (r.method == "POST") return true;
    }
    return false;
  }));
  for (auto& r : receiver_.Received()) {
    if (r.method != "POST") continue;
    EXPECT_EQ(r.Header("layer-webhook-id"), id);
    EXPECT_EQ(r.Header("layer-webhook-event-type"), "message.sent");
  }
  auto off = Platform("POST", "/webhooks/" + id + "/deactivate");
  EXPECT_EQ(off.status, 200) << Describe(off);
  EXPECT_EQ(off.Str("status"), "inactive");
  EXPECT_EQ(off.Str("status_reason"), "Deactivated by User");
  auto on = Platform("POST", "/webhooks/" + id + "/activate");
  EXPECT_EQ(on.status, 200) << Describe(on);
  EXPECT_EQ(on.Str("status"), "unverified");
  ASSERT_TRUE(PollUntil([&] { return StatusOf(id) == "active"; }));
  EXPECT_EQ(Platform("DELETE", "/webhooks/" + id).status, 204);
  EXPECT_EQ(Platform("GET", "/webhooks/" + id).status, 404);
}

TEST_F(PlatformWebhooks, AFailedVerificationMakesTheWebhookInactive) {
  receiver_.SetStatus(200);  // answers, but without the challenge
  std::string id = CreateHook(receiver_.Url("/hook"));
  ASSERT_TRUE(PollUntil([&] { return StatusOf(id) == "inactive"; }));
  EXPECT_NE(Platform("GET", "/webhooks/" + id).Str("status_reason").find("Verification"),
            std::string::npos);
}

TEST_F(PlatformWebhooks, BadRegistrationsGetLayerErrors) {
  auto missing = Platform("POST", "/webhooks", R"({"events":["message.sent"],"secret":"k"})");
  EXPECT_EQ(missing.status, 422) << Describe(missing);
  EXPECT_EQ(missing.ErrorId(), "missing_property");
  auto https =
      Platform("POST", "/webhooks",
               R"({"target_url":"https://x.example/h","events":["message.sent"],"secret":"k"})");
  EXPECT_EQ(https.status, 422) << Describe(https);
  auto event = Platform("POST", "/webhooks",
                        R"({"target_url":"http://127.0.0.1:1/h","events":["nope"],"secret":"k"})");
  EXPECT_EQ(event.status, 422) << Describe(event);
  EXPECT_EQ(event.ErrorId(), "invalid_property");
  EXPECT_EQ(Platform("GET", "/webhooks/not-a-uuid").status, 404);
  EXPECT_EQ(Platform("POST", "/webhooks/00000000-0000-4000-8000-000000000000/activate").status,
            404);
}

TEST_F(PlatformWebhooks, AnAppHasAtMostTheConfiguredNumberOfWebhooks) {
  CreateHook(receiver_.Url("/a"));
  CreateHook(receiver_.Url("/b"));
  auto third = Platform(
      "POST", "/webhooks",
      R"({"target_url":")" + receiver_.Url("/c") + R"(","events":["message.sent"],"secret":"k"})");
  EXPECT_EQ(third.status, 422) << Describe(third);
  EXPECT_EQ(third.ErrorId(), "invalid_operation");
}

TEST_F(PlatformWebhooks, ANotificationIsPushedToEveryDeviceOfItsRecipients) {
  std::string bob = Login("bob");
  ASSERT_EQ(Post(bob, "/push_tokens", R"({"token":"tb","type":"gcm","device_id":"bp"})").status,
            202);
  auto r =
      Platform("POST", "/notifications",
               R"({"recipients":["bob","carol"],"notification":{"text":"Sale!","title":"Shop"}})");
  EXPECT_EQ(r.status, 202) << Describe(r);
  ASSERT_TRUE(PollUntil([&] { return push_.Count() >= 1; }));
  auto p = json::parse(push_.Received()[0].body).as_object();
  EXPECT_EQ(p["user_id"], "bob");
  EXPECT_EQ(p["text"], "Sale!");
  EXPECT_EQ(p["title"], "Shop");
  EXPECT_TRUE(p["message_id"].is_null());
  EXPECT_EQ(Platform("POST", "/notifications", R"({"notification":{"text":"x"}})").status, 422);
}

}  // namespace
}  // namespace relayer::it
