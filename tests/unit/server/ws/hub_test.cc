// The hub's fan-out of one change to a user's sockets: what reaches a socket is a well-formed
// change packet, and data that is not JSON (from another node) reaches none.
#include "server/ws/hub.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace relayer::server {
namespace {

namespace json = boost::json;

class RecordingSink : public PacketSink {
 public:
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

}  // namespace
}  // namespace relayer::server
