// The hub's fan-out of one change to a user's sockets: what reaches a socket is a well-formed
// change packet, and data that is not JSON (from another node) reaches none.
#include "server/ws/hub.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <tuple>

namespace relayer::server {
namespace {

namespace json = boost::json;

class RecordingSink : public PacketSink {
 public:
  RecordingSink() = default;
  explicit RecordingSink(std::string base) : base_(std::move(base)) {}
  void Send(std::string_view type, std::string_view body_json, TimeMs) override {
    sent.emplace_back(std::string(type), std::string(body_json));
  }
  const std::string& base_url() const override { return base_; }

  std::vector<std::pair<std::string, std::string>> sent;

 private:
  std::string base_ = "http://h:1";
};

Change PatchOf(std::string data_json) {
  Change c;
  c.seq = 7;
  c.op = ChangeOp::kUpdate;
  c.type = ObjectType::kConversation;
  c.object_id = "0193a1c2-0000-7000-8000-000000000001";
  c.recipients = {UserId("alice")};
  c.data_json = std::move(data_json);
  return c;
}

TEST(HubPublishTo, QueuesAChangeFromAnotherNodeAndDropsOneWhoseDataIsNotJson) {
  Hub hub;
  const AppId app("a0000000-0000-4000-8000-000000000001");
  auto sink = std::make_shared<RecordingSink>();
  hub.Add(app, UserId("alice"), sink);

  const std::string patch = R"([{"operation":"set","property":"metadata.k","value":"v"}])";
  hub.PublishTo(app, UserId("alice"), PatchOf(patch), WriteResult{});
  ASSERT_EQ(sink->sent.size(), 1u);
  EXPECT_EQ(sink->sent[0].first, "change");
  json::value body = json::parse(sink->sent[0].second);
  EXPECT_EQ(body.at("data"), json::parse(patch));
  EXPECT_EQ(body.at("object").at("url").as_string(),
            "http://h:1/conversations/0193a1c2-0000-7000-8000-000000000001");

  hub.PublishTo(app, UserId("alice"), PatchOf(R"([{"operation":"set",)"), WriteResult{});
  EXPECT_EQ(sink->sent.size(), 1u);  // nothing more queued
  hub.Remove(app, UserId("alice"), sink.get());
}

// A message create reaches each socket as the message, rendered for that socket's base URL and
// its user's read state, then the conversation's last_message naming it.
TEST(HubPublish, EachSocketGetsTheMessageForItsBaseAndViewerAndTheLastMessagePatch) {
  Hub hub;
  const AppId app("a0000000-0000-4000-8000-000000000001");
  const std::string mid = "0193a1c2-0000-7000-8000-00000000000a";
  const std::string cid = "0193a1c2-0000-7000-8000-000000000001";
  auto alice_a = std::make_shared<RecordingSink>("http://a:1");
  auto alice_b = std::make_shared<RecordingSink>("http://b:2");
  auto bob_a = std::make_shared<RecordingSink>("http://a:1");
  auto bob_b = std::make_shared<RecordingSink>("http://b:2");
  hub.Add(app, UserId("alice"), alice_a);
  hub.Add(app, UserId("alice"), alice_b);
  hub.Add(app, UserId("bob"), bob_a);
  hub.Add(app, UserId("bob"), bob_b);

  WriteResult r;
  Message m;
  m.id = MessageId(mid);
  m.conversation_id = ConversationId(cid);
  m.position = 1;
  m.sender.user_id = UserId("alice");
  m.sent_at = 1700000000000;
  m.parts = {MessagePart{"text/plain", "hi", "", std::nullopt}};
  m.recipient_status = {{UserId("alice"), ReceiptState::kRead},
                        {UserId("bob"), ReceiptState::kSent}};
  r.message = m;
  Change c;
  c.seq = 9;
  c.op = ChangeOp::kCreate;
  c.type = ObjectType::kMessage;
  c.object_id = mid;
  c.conversation_id = ConversationId(cid);
  c.recipients = {UserId("alice"), UserId("bob")};
  r.changes = {c};
  hub.Publish(app, r);

  for (const auto& [sink, base, unread] :
       {std::tuple{alice_a, "http://a:1", false}, std::tuple{alice_b, "http://b:2", false},
        std::tuple{bob_a, "http://a:1", true}, std::tuple{bob_b, "http://b:2", true}}) {
    SCOPED_TRACE(std::string(base) + (unread ? " bob" : " alice"));
    ASSERT_EQ(sink->sent.size(), 2u);
    json::value create = json::parse(sink->sent[0].second);
    EXPECT_EQ(create.at("operation").as_string(), "create");
    EXPECT_EQ(create.at("data").at("id").as_string(), "layer:///messages/" + mid);
    EXPECT_EQ(create.at("data").at("is_unread").as_bool(), unread);
    EXPECT_EQ(create.at("data").at("url").as_string(), std::string(base) + "/messages/" + mid);
    json::value patch = json::parse(sink->sent[1].second);
    EXPECT_EQ(patch.at("operation").as_string(), "update");
    EXPECT_EQ(patch.at("object").at("url").as_string(),
              std::string(base) + "/conversations/" + cid);
    EXPECT_EQ(patch.at("data"), json::parse(R"([{"operation":"set","property":"last_message",)"
                                            R"("id":"layer:///messages/)" +
                                            mid + R"("}])"));
  }
}

}  // namespace
}  // namespace relayer::server
