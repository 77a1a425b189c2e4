// Patching and deleting conversations.
#include <boost/json/parse.hpp>

#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

namespace json = boost::json;

PatchOp MetadataSet(std::vector<std::string> path, std::string value) {
  PatchOp op;
  op.kind = PatchOpKind::kSet;
  op.path = std::move(path);
  op.value = json::string(value);
  op.has_value = true;
  return op;
}

TEST_P(StoreConformance, AddingParticipantDropsDistinctAndNotifiesEveryone) {
  Identity carol;
  carol.user_id = U("carol");
  carol.display_name = "Carol";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, carol, 1}).status.ok());
  Conversation c = MakeConversation("alice", {"bob"}, true);
  PatchConversationOp op{app_, c.id, U("bob"), {}, Now()};
  op.patch.add_participants.push_back(U("carol"));
  WriteResult r = Write(op);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_TRUE(r.conversation.has_value());
  EXPECT_FALSE(r.conversation->distinct);
  EXPECT_EQ(r.conversation->participants.size(), 3u);

  // The added user gets the whole conversation (a create), the others the patch (dd7c86c).
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[0].op, ChangeOp::kCreate);
  EXPECT_EQ(r.changes[0].recipients, std::vector<UserId>{U("carol")});
  EXPECT_EQ(r.changes[1].op, ChangeOp::kUpdate);
  EXPECT_EQ(r.changes[1].recipients, (std::vector<UserId>{U("alice"), U("bob")}));
  json::value patch = json::parse(r.changes[1].data_json);
  ASSERT_EQ(patch.as_array().size(), 2u);
  const json::object& add = patch.as_array()[0].as_object();
  EXPECT_EQ(add.at("operation").as_string(), "add");
  EXPECT_EQ(add.at("property").as_string(), "participants");
  EXPECT_EQ(add.at("id").as_string(), "layer:///identities/carol");
  EXPECT_EQ(add.at("value").as_object().at("display_name").as_string(), "Carol");
  EXPECT_EQ(patch.as_array()[1],
            json::parse(R"({"operation":"set","property":"distinct","value":false})"));

  EXPECT_TRUE(store().GetConversation(app_, U("carol"), c.id).ok());
  // The pair is no longer distinct: asking for it again creates a new one.
  WriteResult again = Write(ConversationOp("alice", {"bob"}, true));
  EXPECT_EQ(again.outcome, CreateOutcome::kCreated);
  EXPECT_NE(again.conversation->id, c.id);
}

TEST_P(StoreConformance, RemovedParticipantLosesAccessAndGetsDeleteChange) {
  Conversation c = MakeConversation("alice", {"bob", "carol"});
  Message m = Send(c.id, "alice");
  PatchConversationOp op{app_, c.id, U("alice"), {}, Now()};
  op.patch.remove_participants.push_back(U("carol"));
  WriteResult r = Write(op);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[0].recipients, (std::vector<UserId>{U("alice"), U("bob")}));
  json::value patch = json::parse(r.changes[0].data_json);
  EXPECT_EQ(patch.as_array()[0].as_object().at("operation").as_string(), "remove");
  EXPECT_EQ(patch.as_array()[0].as_object().at("id").as_string(), "layer:///identities/carol");
  EXPECT_EQ(r.changes[1].op, ChangeOp::kDelete);
  EXPECT_EQ(r.changes[1].recipients, std::vector<UserId>{U("carol")});
  EXPECT_EQ(r.changes[1].data_json, R"({"mode":"my_devices"})");
  EXPECT_EQ(store().GetConversation(app_, U("carol"), c.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().GetMessage(app_, U("carol"), m.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Write(MessageOp(c.id, "carol")).status.code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, SetParticipantsReplacesTheSetWithinTheLimit) {
  Limits limits;
  limits.max_participants = 3;
  Open(limits);
  Conversation c = MakeConversation("alice", {"bob"});
  PatchConversationOp op{app_, c.id, U("alice"), {}, Now()};
  op.patch.set_participants = std::vector<UserId>{U("alice"), U("dave"), U("erin")};
  ASSERT_TRUE(Write(op).status.ok());
  auto got = store().GetConversation(app_, U("alice"), c.id);
  ASSERT_EQ(got->participants.size(), 3u);
  EXPECT_EQ(got->participants[1].user_id, U("dave"));
  EXPECT_EQ(store().GetConversation(app_, U("bob"), c.id).status().code(), ErrorCode::kNotFound);

  PatchConversationOp too_many{app_, c.id, U("alice"), {}, Now()};
  too_many.patch.add_participants.push_back(U("frank"));
  WriteResult r = Write(too_many);
  EXPECT_EQ(r.status.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(r.status.property(), "participants");
  EXPECT_EQ(store().GetConversation(app_, U("alice"), c.id)->participants.size(), 3u);
}

TEST_P(StoreConformance, MetadataPatchIsAppliedAndPushedWithEscapedPath) {
  Conversation c = MakeConversation("alice", {"bob"}, true, json::object{{"a", "1"}});
  PatchConversationOp op{app_, c.id, U("bob"), {}, Now()};
  op.patch.metadata_ops.push_back(MetadataSet({"metadata", "x.y", "z"}, "v"));
  PatchOp del;
  del.kind = PatchOpKind::kDelete;
  del.path = {"metadata", "a"};
  op.patch.metadata_ops.push_back(del);
  WriteResult r = Write(op);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  auto got = store().GetConversation(app_, U("alice"), c.id);
  EXPECT_EQ(got->metadata, (json::object{{"x.y", json::object{{"z", "v"}}}}));
  EXPECT_TRUE(got->distinct);  // metadata changes leave distinct alone
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(json::parse(r.changes[0].data_json),
            json::parse(R"([{"operation":"set","property":"metadata.x\\.y.z","value":"v"},
                            {"operation":"delete","property":"metadata.a"}])"));
}

TEST_P(StoreConformance, DeleteForAllParticipantsRemovesConversationAndMessages) {
  Conversation c = MakeConversation("alice", {"bob"}, true);
  Message m = Send(c.id, "alice");
  WriteResult r = Write(
      DeleteConversationOp{app_, c.id, U("bob"), DeletionMode::kAllParticipants, false, Now()});
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].op, ChangeOp::kDelete);
  EXPECT_EQ(r.changes[0].recipients, (std::vector<UserId>{U("alice"), U("bob")}));
  EXPECT_EQ(r.changes[0].data_json, R"({"mode":"all_participants"})");
  for (const char* u : {"alice", "bob"}) {
    EXPECT_EQ(store().GetConversation(app_, U(u), c.id).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store().GetMessage(app_, U(u), m.id).status().code(), ErrorCode::kNotFound);
  }
  // The distinct pair is free again.
  EXPECT_EQ(Write(ConversationOp("alice", {"bob"}, true)).outcome, CreateOutcome::kCreated);
}

TEST_P(StoreConformance, DeleteForMyDevicesHidesUntilANewMessageShowingOnlyNewer) {
  Conversation c = MakeConversation("alice", {"bob"});
  Message old1 = Send(c.id, "alice");
  Send(c.id, "alice");
  WriteResult r =
      Write(DeleteConversationOp{app_, c.id, U("bob"), DeletionMode::kMyDevices, false, Now()});
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].recipients, std::vector<UserId>{U("bob")});
  EXPECT_EQ(json::parse(r.changes[0].data_json),
            json::parse(R"({"mode":"my_devices","from_position":2})"));
  EXPECT_EQ(store().GetConversation(app_, U("bob"), c.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().ListConversations(app_, U("bob"), ConversationSort::kCreatedAt, Page{})->total,
            0);
  EXPECT_TRUE(store().GetConversation(app_, U("alice"), c.id).ok());
  EXPECT_EQ(store().ListMessages(app_, U("alice"), c.id, Page{})->total, 2);

  Message fresh = Send(c.id, "alice");
  auto back = store().GetConversation(app_, U("bob"), c.id);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->unread_message_count, 1);
  EXPECT_EQ(back->total_message_count, 1);
  EXPECT_EQ(back->last_message->id, fresh.id);
  auto list = store().ListMessages(app_, U("bob"), c.id, Page{});
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].id, fresh.id);
  EXPECT_EQ(store().GetMessage(app_, U("bob"), old1.id).status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, LeaveRemovesTheActorAndTellsTheOthers) {
  Conversation c = MakeConversation("alice", {"bob", "carol"}, true);
  WriteResult r =
      Write(DeleteConversationOp{app_, c.id, U("carol"), DeletionMode::kMyDevices, true, Now()});
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[0].op, ChangeOp::kDelete);
  EXPECT_EQ(r.changes[0].recipients, std::vector<UserId>{U("carol")});
  EXPECT_EQ(r.changes[1].op, ChangeOp::kUpdate);
  EXPECT_EQ(r.changes[1].recipients, (std::vector<UserId>{U("alice"), U("bob")}));
  json::value patch = json::parse(r.changes[1].data_json);
  EXPECT_EQ(patch.as_array()[0].as_object().at("operation").as_string(), "remove");
  EXPECT_EQ(patch.as_array()[1].as_object().at("property").as_string(), "distinct");

  auto got = store().GetConversation(app_, U("alice"), c.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->participants.size(), 2u);
  EXPECT_FALSE(got->distinct);
  // A new message does not bring a conversation back to someone who left.
  Send(c.id, "alice");
  EXPECT_EQ(store().GetConversation(app_, U("carol"), c.id).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace relayer::testing

namespace relayer::testing {
namespace {

TEST_P(StoreConformance, DistinctCreateBringsBackAConversationHiddenForTheCreator) {
  Conversation c = MakeConversation("alice", {"bob"}, true);
  Message old = Send(c.id, "bob");
  ASSERT_TRUE(
      Write(DeleteConversationOp{app_, c.id, U("alice"), DeletionMode::kMyDevices, false, Now()})
          .status.ok());
  WriteResult again = Write(ConversationOp("alice", {"bob"}, true));
  ASSERT_TRUE(again.status.ok());
  EXPECT_EQ(again.outcome, CreateOutcome::kExisting);
  EXPECT_EQ(again.conversation->id, c.id);
  auto got = store().GetConversation(app_, U("alice"), c.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->total_message_count, 0);  // what was deleted for alice's devices stays hidden
  EXPECT_EQ(store().GetMessage(app_, U("alice"), old.id).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace relayer::testing
