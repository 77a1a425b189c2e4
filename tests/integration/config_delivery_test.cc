// The [delivery] table and [[apps.webhooks]] of the config file.
#include <filesystem>
#include <fstream>

#include "integration/test_server.h"

namespace relayer::it {
namespace {

Status Load(const std::string& toml, server::ServerConfig& config) {
  auto path = std::filesystem::temp_directory_path() / ("relayer-cfg-" + server::RandomUuid());
  std::ofstream(path) << toml;
  Status s = server::LoadConfigFile(path.string(), config);
  std::filesystem::remove(path);
  return s;
}

TEST(DeliveryConfig, ReadsDeliverySettingsAndAppWebhooks) {
  server::ServerConfig c;
  Status s = Load(R"(
[delivery]
push_webhook_url = "http://127.0.0.1:9000/push"
max_push_tokens_per_user = 7
webhook_retry_period_seconds = 60
retry_initial_ms = 10
max_webhooks_per_app = 3

[[apps]]
id = "6f1d0e34-8c1e-11e5-9b8f-1c1b0d7e4a7c"
provider_id = "p"
[[apps.webhooks]]
target_url = "http://127.0.0.1:9000/hook"
events = ["message.sent", "conversation.deleted"]
secret = "k"
[apps.webhooks.config]
tenant = "acme"
)",
                  c);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(c.delivery.push_webhook_url, "http://127.0.0.1:9000/push");
  EXPECT_EQ(c.delivery.max_push_tokens_per_user, 7u);
  EXPECT_EQ(c.delivery.webhook_retry_period_seconds, 60);
  EXPECT_EQ(c.delivery.retry_initial_ms, 10);
  EXPECT_EQ(c.delivery.max_webhooks_per_app, 3u);
  ASSERT_EQ(c.apps.size(), 1u);
  ASSERT_EQ(c.apps[0].webhooks.size(), 1u);
  EXPECT_EQ(c.apps[0].webhooks[0].events,
            (std::vector<std::string>{"message.sent", "conversation.deleted"}));
  EXPECT_EQ(c.apps[0].webhooks[0].config_json, R"({"tenant":"acme"})");
}

TEST(DeliveryConfig, RejectsUnknownKeysHttpsTargetsAndUnknownEvents) {
  const char* head = "[[apps]]\nid = \"6f1d0e34-8c1e-11e5-9b8f-1c1b0d7e4a7c\"\n[[apps.webhooks]]\n";
  for (std::string bad : {
           std::string("[delivery]\npush_url = \"http://x/\"\n"),
           std::string("[delivery]\npush_webhook_url = \"https://x/\"\n"),
           std::string(head) +
               "target_url = \"https://x/h\"\nevents = [\"message.sent\"]\nsecret = \"k\"\n",
           std::string(head) +
               "target_url = \"http://x/h\"\nevents = [\"message.nope\"]\nsecret = \"k\"\n",
           std::string(head) + "target_url = \"http://x/h\"\nevents = [\"message.sent\"]\n",
       }) {
    server::ServerConfig c;
    EXPECT_FALSE(Load(bad, c).ok()) << bad;
  }
}

}  // namespace
}  // namespace relayer::it
