// The real server on PostgreSQL (--store): the basic Client API flow, a restart, and two servers
// sharing one database (two nodes) seeing each other's writes. Needs RELAYER_TEST_PG (a libpq
// URI that scripts/services.sh exports); skipped without it. Each test works in a schema of its
// own, dropped afterwards.
#include <cstdlib>
#include <filesystem>
#include <random>

#include "integration/test_server.h"
#include "store/postgres/connection.h"

namespace relayer::it {
namespace {

std::string PgUri() {
  const char* uri = std::getenv("RELAYER_TEST_PG");
  return uri ? uri : "";
}

class OnPostgres : public ApiTest {
 protected:
  void SetUp() override {
    if (PgUri().empty()) {
      GTEST_SKIP() << "RELAYER_TEST_PG is not set: no PostgreSQL to test against "
                      "(scripts/services.sh starts one)";
    }
    std::random_device rd;
    schema_ = "relayer_it_" + std::to_string(std::mt19937_64(rd())() % 1000000000000ULL);
    ASSERT_TRUE(Admin("CREATE SCHEMA " + schema_).ok());
    const std::string uri = PgUri();
    store_ = uri + (uri.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
             schema_;
    ApiTest::SetUp();
  }
  void TearDown() override {
    ApiTest::TearDown();
    if (!schema_.empty()) {
      EXPECT_TRUE(Admin("DROP SCHEMA " + schema_ + " CASCADE").ok());
    }
  }
  void Configure(server::ServerConfig& config) const override { config.store = store_; }

  static Status Admin(const std::string& sql) {
    auto db = pg::Connection::Open(PgUri(), 10);
    if (!db.ok()) return db.status();
    return (*db)->Execute(sql);
  }

  std::string schema_;
  std::string store_;
};

std::string StatusOf(const json::object& message, const std::string& user) {
  if (!message.contains("recipient_status")) return "";
  const auto* s = message.at("recipient_status").as_object().if_contains(IdentityId(user));
  return s && s->is_string() ? std::string(s->as_string()) : "";
}

TEST_F(OnPostgres, SessionConversationMessageAndReceiptSurviveARestart) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  std::string conv = CreateConversation(alice, {"bob"});
  ASSERT_FALSE(conv.empty());
  json::object sent = SendText(alice, conv, "hello from postgres");
  std::string msg = Uuid(sent["id"].as_string());
  EXPECT_EQ(GetConversation(bob, conv)["unread_message_count"], 1);

  auto r = Post(bob, "/messages/" + msg + "/receipts", R"({"type":"read"})");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(StatusOf(GetMessage(alice, msg), "bob"), "read");
  EXPECT_EQ(GetConversation(bob, conv)["unread_message_count"], 0);

  // Everything is in PostgreSQL: a restarted server (same database) knows the sessions too.
  RestartServer();
  auto list = Get(bob, "/conversations/" + conv + "/messages");
  ASSERT_EQ(list.status, 200) << Describe(list);
  ASSERT_EQ(list.Array().size(), 1u);
  EXPECT_EQ(list.Array()[0].at("parts").as_array()[0].at("body"), "hello from postgres");
  EXPECT_EQ(StatusOf(GetMessage(alice, msg), "bob"), "read");
}

TEST_F(OnPostgres, TwoServersOnOneDatabaseSeeEachOthersWrites) {
  TestServer second(
      Limits{}, [this](server::ServerConfig& c) { c.store = store_; }, server().app());
  ASSERT_TRUE(second.running());
  HttpClient other(second.port());
  auto on_second = [&](std::string_view method, const std::string& target, const std::string& token,
                       std::optional<std::string> body = std::nullopt) {
    Headers headers{{"Accept", std::string(kAccept)},
                    {"Authorization", "Layer session-token=\"" + token + "\""}};
    if (body) headers.emplace_back("Content-Type", "application/json");
    return other.Send(method, target, headers, std::move(body));
  };

  std::string alice = Login("alice");  // a session made on the first node...
  std::string bob = Login("bob");
  std::string conv = CreateConversation(alice, {"bob"}, /*distinct=*/true);
  ASSERT_FALSE(conv.empty());
  // ...is valid on the second, which sees the conversation.
  auto listed = on_second("GET", "/conversations", bob);
  ASSERT_EQ(listed.status, 200) << Describe(listed);
  ASSERT_EQ(listed.Array().size(), 1u);
  EXPECT_EQ(Uuid(listed.Array()[0].at("id").as_string()), conv);

  // The same distinct set asked on the second node is the same conversation.
  auto again = on_second("POST", "/conversations", bob,
                         R"({"participants":[")" + IdentityId("alice") + R"("],"distinct":true})");
  EXPECT_EQ(again.status, 200) << Describe(again);
  EXPECT_EQ(Uuid(again.Str("id")), conv);

  // A message sent through the second node takes the next position and reaches the first.
  SendText(alice, conv, "one");
  auto sent = on_second("POST", "/conversations/" + conv + "/messages", bob,
                        R"({"parts":[{"mime_type":"text/plain","body":"two"}]})");
  ASSERT_EQ(sent.status, 201) << Describe(sent);
  EXPECT_EQ(sent.At("position"), 2);
  json::object c = GetConversation(alice, conv);
  EXPECT_EQ(c["unread_message_count"], 1);
  EXPECT_EQ(c["last_message"].at("parts").as_array()[0].at("body"), "two");
  auto receipt = on_second("POST", "/messages/" + Uuid(sent.Str("id")) + "/receipts", alice,
                           R"({"type":"read"})");
  EXPECT_EQ(receipt.status, 204) << Describe(receipt);
  EXPECT_EQ(GetConversation(alice, conv)["unread_message_count"], 0);
}

TEST(StoreSetting, AnUnreachableDatabaseOrAnUnknownSchemeStopsTheStart) {
  TestServer probe;  // only to borrow a valid app setup
  for (const char* store : {"postgresql://nobody:secret@127.0.0.1:1/none", "mysql://x/y"}) {
    server::ServerConfig config;
    config.data_dir = probe.data_dir() + "-store-setting";
    config.listen = "127.0.0.1:0";
    config.store = store;
    server::AppConfig app;
    app.id = AppId(probe.app_uuid());
    app.provider_id = probe.provider_id();
    ASSERT_TRUE(app.keys->add(kKid, TestKeys().public_pem).ok());
    std::vector<server::AppConfig> apps;
    apps.push_back(std::move(app));
    auto started = server::Server::Start(config, std::move(apps));
    ASSERT_FALSE(started.ok()) << store;
    EXPECT_EQ(started.status().message().find("secret"), std::string::npos)
        << "the password is not shown: " << started.status().message();
    if (std::string(store).rfind("postgres", 0) == 0) {
      EXPECT_EQ(started.status().code(), ErrorCode::kServiceUnavailable);
    } else {
      EXPECT_EQ(started.status().code(), ErrorCode::kInvalidRequest);
    }
    std::error_code ec;
    std::filesystem::remove_all(config.data_dir, ec);
  }
}

}  // namespace
}  // namespace relayer::it
