// Creating conversations: participants, distinct sets, client-chosen ids, metadata, limits.
#include <thread>

#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

namespace json = boost::json;

std::vector<std::string> UserIds(const Conversation& c) {
  std::vector<std::string> out;
  for (const Identity& i : c.participants) out.push_back(i.user_id.str());
  return out;
}

TEST_P(StoreConformance, CreateConversationIncludesCreatorSortedAndDeduplicated) {
  Conversation c = MakeConversation("bob", {"carol", "alice", "carol"});
  EXPECT_EQ(UserIds(c), (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_FALSE(c.distinct);
  EXPECT_EQ(c.total_message_count, 0);
  EXPECT_FALSE(c.last_message.has_value());
  auto got = store().GetConversation(app_, U("alice"), c.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(UserIds(*got), UserIds(c));
  EXPECT_EQ(got->created_at, c.created_at);
}

TEST_P(StoreConformance, ParticipantsCarryTheirProfileAndUnknownUsersOnlyTheirId) {
  Identity a;
  a.user_id = U("alice");
  a.display_name = "Alice";
  a.avatar_url = "https://example.com/a.png";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, a, 1}).status.ok());
  Conversation c = MakeConversation("alice", {"zed"});
  ASSERT_EQ(c.participants.size(), 2u);
  EXPECT_EQ(c.participants[0].display_name, "Alice");
  EXPECT_EQ(c.participants[0].avatar_url, "https://example.com/a.png");
  EXPECT_EQ(c.participants[1].user_id, U("zed"));
  EXPECT_EQ(c.participants[1].display_name, "");
}

TEST_P(StoreConformance, CreateConversationEmitsCreateChangeToEveryParticipant) {
  Conversation c = MakeConversation("alice", {"bob"});
  for (const char* user : {"alice", "bob"}) {
    auto changes = Changes(user);
    ASSERT_EQ(changes.size(), 1u) << user;
    EXPECT_EQ(changes[0].op, ChangeOp::kCreate);
    EXPECT_EQ(changes[0].type, ObjectType::kConversation);
    EXPECT_EQ(changes[0].object_id, c.id.str());
    EXPECT_EQ(changes[0].conversation_id, c.id);
  }
  EXPECT_TRUE(Changes("carol").empty());
}

TEST_P(StoreConformance, TooManyParticipantsIsInvalidProperty) {
  Limits limits;
  limits.max_participants = 3;
  Open(limits);
  WriteResult r = Write(ConversationOp("a", {"b", "c", "d"}));
  EXPECT_EQ(r.status.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(r.status.property(), "participants");
  EXPECT_TRUE(Write(ConversationOp("a", {"b", "c", "a"})).status.ok());
}

TEST_P(StoreConformance, DistinctCreateReturnsExistingForSameParticipants) {
  Conversation first = MakeConversation("alice", {"bob"}, true);
  EXPECT_TRUE(first.distinct);
  WriteResult again = Write(ConversationOp("bob", {"alice"}, true));
  ASSERT_TRUE(again.status.ok());
  EXPECT_EQ(again.outcome, CreateOutcome::kExisting);
  ASSERT_TRUE(again.conversation.has_value());
  EXPECT_EQ(again.conversation->id, first.id);
  EXPECT_TRUE(again.changes.empty());
  auto list = store().ListConversations(app_, U("alice"), ConversationSort::kCreatedAt, Page{});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total, 1);
}

TEST_P(StoreConformance, DistinctCreateWithEqualMetadataIsExistingAndDifferentIsConflict) {
  json::object md{{"title", "chat"}};
  Conversation first = MakeConversation("alice", {"bob"}, true, md);
  CreateConversationOp same = ConversationOp("alice", {"bob"}, true);
  same.metadata = md;
  EXPECT_EQ(Write(same).outcome, CreateOutcome::kExisting);
  CreateConversationOp different = ConversationOp("alice", {"bob"}, true);
  different.metadata = json::object{{"title", "other"}};
  WriteResult r = Write(different);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.outcome, CreateOutcome::kConflict);
  ASSERT_TRUE(r.conversation.has_value());
  EXPECT_EQ(r.conversation->id, first.id);
  EXPECT_EQ(r.conversation->metadata, md);
}

TEST_P(StoreConformance, DistinctDifferentParticipantSetsAreDifferentConversations) {
  Conversation ab = MakeConversation("alice", {"bob"}, true);
  Conversation abc = MakeConversation("alice", {"bob", "carol"}, true);
  EXPECT_NE(ab.id, abc.id);
  Conversation non_distinct = MakeConversation("alice", {"bob"}, false);
  EXPECT_NE(non_distinct.id, ab.id);
}

TEST_P(StoreConformance, ConcurrentDistinctCreatesEndInOneConversation) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::vector<WriteResult> results(kThreads);
  std::vector<CreateConversationOp> ops;
  for (int i = 0; i < kThreads; ++i) {
    ops.push_back(ConversationOp(i % 2 ? "alice" : "bob", {i % 2 ? "bob" : "alice"}, true));
  }
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[i] = SubmitAndWait(store(), ops[i]); });
  }
  for (auto& t : threads) t.join();
  int created = 0;
  std::optional<ConversationId> id;
  for (const WriteResult& r : results) {
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    ASSERT_TRUE(r.conversation.has_value());
    if (r.outcome == CreateOutcome::kCreated) ++created;
    if (!id) id = r.conversation->id;
    EXPECT_EQ(r.conversation->id, *id);
  }
  EXPECT_EQ(created, 1);
  auto list = store().ListConversations(app_, U("alice"), ConversationSort::kCreatedAt, Page{});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total, 1);
}

TEST_P(StoreConformance, ClientChosenIdReusedIsIdInUseWithExisting) {
  CreateConversationOp op = ConversationOp("alice", {"bob"});
  op.id = NewConversationId();
  WriteResult first = Write(op);
  ASSERT_TRUE(first.status.ok());
  EXPECT_EQ(first.outcome, CreateOutcome::kCreated);
  EXPECT_EQ(first.conversation->id, *op.id);
  WriteResult retry = Write(op);
  ASSERT_TRUE(retry.status.ok());
  EXPECT_EQ(retry.outcome, CreateOutcome::kIdInUse);
  ASSERT_TRUE(retry.conversation.has_value());
  EXPECT_EQ(retry.conversation->id, *op.id);
  EXPECT_TRUE(retry.changes.empty());
}

TEST_P(StoreConformance, ClientChosenIdOfSomeoneElsesConversationIsIdInUseWithoutData) {
  CreateConversationOp op = ConversationOp("alice", {"bob"});
  op.id = NewConversationId();
  ASSERT_TRUE(Write(op).status.ok());
  CreateConversationOp stranger = ConversationOp("mallory", {"eve"});
  stranger.id = op.id;
  WriteResult r = Write(stranger);
  EXPECT_EQ(r.status.code(), ErrorCode::kIdInUse);
  EXPECT_FALSE(r.conversation.has_value());
  EXPECT_EQ(store().GetConversation(app_, U("mallory"), *op.id).status().code(),
            ErrorCode::kNotFound);
}

TEST_P(StoreConformance, MetadataIsStoredAndValidated) {
  json::object md{{"title", "t"}, {"nested", json::object{{"a", "1"}}}};
  Conversation c = MakeConversation("alice", {"bob"}, false, md);
  EXPECT_EQ(store().GetConversation(app_, U("bob"), c.id)->metadata, md);

  CreateConversationOp bad = ConversationOp("alice", {"bob"});
  bad.metadata = json::object{{"n", 42}};
  EXPECT_EQ(Write(bad).status.code(), ErrorCode::kInvalidProperty);
}

TEST_P(StoreConformance, MetadataOverTheSizeLimitIsRejected) {
  Limits limits;
  limits.max_metadata_bytes = 64;
  Open(limits);
  CreateConversationOp op = ConversationOp("alice", {"bob"});
  op.metadata = json::object{{"title", std::string(100, 'x')}};
  WriteResult r = Write(op);
  EXPECT_EQ(r.status.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(r.status.property(), "metadata");
}

TEST_P(StoreConformance, NonParticipantGetsNotFoundEverywhere) {
  Conversation c = MakeConversation("alice", {"bob"});
  Message m = Send(c.id, "alice");
  const UserId eve = U("eve");
  EXPECT_EQ(store().GetConversation(app_, eve, c.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().ListMessages(app_, eve, c.id, Page{}).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().GetMessage(app_, eve, m.id).status().code(), ErrorCode::kNotFound);
  auto list = store().ListConversations(app_, eve, ConversationSort::kCreatedAt, Page{});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total, 0);

  EXPECT_EQ(Write(MessageOp(c.id, "eve")).status.code(), ErrorCode::kNotFound);
  PatchConversationOp patch{app_, c.id, eve, {}, Now()};
  patch.patch.add_participants.push_back(eve);
  EXPECT_EQ(Write(patch).status.code(), ErrorCode::kNotFound);
  EXPECT_EQ(
      Write(DeleteConversationOp{app_, c.id, eve, DeletionMode::kAllParticipants, false, Now()})
          .status.code(),
      ErrorCode::kNotFound);
  EXPECT_EQ(Write(MarkAllReadOp{app_, c.id, eve, std::nullopt, Now()}).status.code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(Write(PostReceiptOp{app_, m.id, eve, ReceiptType::kRead, Now()}).status.code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(
      Write(DeleteMessageOp{app_, m.id, eve, DeletionMode::kAllParticipants, Now()}).status.code(),
      ErrorCode::kNotFound);
  // Nothing changed for the participants.
  EXPECT_EQ(store().GetConversation(app_, U("bob"), c.id)->participants.size(), 2u);
  EXPECT_TRUE(store().GetMessage(app_, U("bob"), m.id).ok());
}

TEST_P(StoreConformance, ConversationOfAnotherAppIsNotFound) {
  Conversation c = MakeConversation("alice", {"bob"});
  AppId other("a0000000-0000-4000-8000-000000000002");
  EXPECT_EQ(store().GetConversation(other, U("alice"), c.id).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace relayer::testing
