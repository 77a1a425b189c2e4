// Rich content: declaring, completing (write-once), attaching to message parts, and who may read.
#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

class ContentOps : public StoreConformance {
 protected:
  ContentId Declare(const std::string& uploader, int64_t size, bool complete = true) {
    ContentId id(NewMessageId().str());  // any fresh UUID
    ContentInfo info{id, app_, U(uploader), "image/png", size, Now(), std::nullopt};
    EXPECT_TRUE(Write(CreateContentOp{app_, info}).status.ok());
    if (complete) {
      EXPECT_TRUE(Write(CompleteContentOp{app_, id, Now()}).status.ok());
    }
    return id;
  }
  WriteResult SendContent(const ConversationId& c, const std::string& sender, const ContentId& id,
                          int64_t size) {
    CreateMessageOp op = MessageOp(c, sender);
    op.parts = {MessagePart{"image/png", "", "", ContentRef{id, size}}};
    return Write(op);
  }
};

TEST_P(ContentOps, DeclaredContentReadsBackAndCompletesOnce) {
  ContentId id = Declare("alice", 5000, false);
  auto got = store().GetContent(id);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->app_id, app_);
  EXPECT_EQ(got->uploader, U("alice"));
  EXPECT_EQ(got->mime_type, "image/png");
  EXPECT_EQ(got->size, 5000);
  EXPECT_FALSE(got->uploaded_at.has_value());
  const TimeMs done_at = Now();
  ASSERT_TRUE(Write(CompleteContentOp{app_, id, done_at}).status.ok());
  EXPECT_EQ(store().GetContent(id)->uploaded_at, done_at);
  EXPECT_EQ(Write(CompleteContentOp{app_, id, Now()}).status.code(), ErrorCode::kConflict);
  // Another app cannot complete it, and unknown content is not found.
  AppId other("a0000000-0000-4000-8000-0000000000ff");
  EXPECT_EQ(Write(CompleteContentOp{other, id, Now()}).status.code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().GetContent(ContentId(NewMessageId().str())).status().code(),
            ErrorCode::kNotFound);
  // A declared id cannot be declared again.
  ContentInfo again{id, app_, U("bob"), "text/plain", 1, Now(), std::nullopt};
  EXPECT_EQ(Write(CreateContentOp{app_, again}).status.code(), ErrorCode::kIdInUse);
  EXPECT_EQ(store().GetContent(id)->uploader, U("alice"));
}

TEST_P(ContentOps, OnlyUploaderAndParticipantsOfHoldingConversationsMayRead) {
  Conversation c = MakeConversation("alice", {"bob"});
  ContentId id = Declare("alice", 3000);
  EXPECT_TRUE(*store().MayReadContent(app_, U("alice"), id));
  EXPECT_FALSE(*store().MayReadContent(app_, U("bob"), id));
  ASSERT_TRUE(SendContent(c.id, "alice", id, 3000).status.ok());
  EXPECT_TRUE(*store().MayReadContent(app_, U("bob"), id));
  EXPECT_FALSE(*store().MayReadContent(app_, U("carol"), id));
  EXPECT_FALSE(
      *store().MayReadContent(AppId("a0000000-0000-4000-8000-0000000000ff"), U("bob"), id));
  EXPECT_FALSE(*store().MayReadContent(app_, U("bob"), ContentId(NewMessageId().str())));
  auto got = store().GetMessage(app_, U("bob"), Send(c.id, "bob").id);
  ASSERT_TRUE(got.ok());
}

TEST_P(ContentOps, PartsWithUnusableContentWriteNothing) {
  Conversation c = MakeConversation("alice", {"bob"});
  ContentId alices = Declare("alice", 3000);
  ContentId pending = Declare("alice", 3000, false);
  struct Case {
    std::string sender;
    ContentId id;
    int64_t size;
    std::string property;
  };
  for (const Case& k :
       std::vector<Case>{{"alice", ContentId(NewMessageId().str()), 3000, "parts[0].content.id"},
                         {"bob", alices, 3000, "parts[0].content.id"},
                         {"alice", pending, 3000, "parts[0].content.id"}}) {
    WriteResult r = SendContent(c.id, k.sender, k.id, k.size);
    EXPECT_EQ(r.status.code(), ErrorCode::kInvalidProperty) << k.property;
    EXPECT_EQ(r.status.property(), k.property);
  }
  EXPECT_EQ(store().GetConversation(app_, U("bob"), c.id)->total_message_count, 0);
  EXPECT_FALSE(*store().MayReadContent(app_, U("bob"), alices));
  // A wrong size is corrected to the uploaded one (the Web SDK counts text in UTF-16 units).
  WriteResult ok = SendContent(c.id, "alice", alices, 2999);
  ASSERT_TRUE(ok.status.ok()) << ok.status.message();
  ASSERT_TRUE(ok.message->parts[0].content.has_value());
  EXPECT_EQ(ok.message->parts[0].content->id, alices);
  EXPECT_EQ(ok.message->parts[0].content->size, 3000);
  EXPECT_EQ(store().GetMessage(app_, U("bob"), ok.message->id)->parts[0].content->size, 3000);
}

TEST_P(ContentOps, ContentSurvivesReopening) {
  Conversation c = MakeConversation("alice", {"bob"});
  ContentId id = Declare("alice", 42);
  ASSERT_TRUE(SendContent(c.id, "alice", id, 42).status.ok());
  Close();
  Open();
  EXPECT_TRUE(store().GetContent(id)->uploaded_at.has_value());
  EXPECT_TRUE(*store().MayReadContent(app_, U("bob"), id));
}

INSTANTIATE_TEST_SUITE_P(Backends, ContentOps, ::testing::ValuesIn(AllStoreBackends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace relayer::testing
