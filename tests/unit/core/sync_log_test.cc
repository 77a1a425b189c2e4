// Sync log lines: Layer's wording per verb, service actors, and details that do not parse.
#include "core/sync_log.h"

#include <gtest/gtest.h>

namespace relayer {
namespace {

const char* kConv = "c0000000-0000-4000-8000-000000000001";
const char* kMsg = "e0000000-0000-4000-8000-000000000002";

SyncLogEntry Entry(SyncVerb verb, std::string detail = "") {
  SyncLogEntry e;
  e.actor = SyncActor::User(UserId("alice"));
  e.verb = verb;
  e.object_id = kMsg;
  e.conversation_id = ConversationId(kConv);
  e.detail_json = std::move(detail);
  return e;
}

TEST(SyncLogLine, MessageCreatedInLayersWords) {
  EXPECT_EQ(RenderSyncLine(Entry(SyncVerb::kMessageCreated)),
            std::string("Sync: User alice created a message in conversation "
                        "layer:///conversations/") +
                kConv + ".");
}

TEST(SyncLogLine, ServiceActorsAreNamedAsServices) {
  SyncLogEntry e = Entry(SyncVerb::kMessageCreated);
  e.actor = SyncActor::Service("Bot");
  EXPECT_EQ(RenderSyncLine(e).rfind("Sync: Service Bot created a message", 0), 0u);
}

TEST(SyncLogLine, DetailsShapeTheLineAndBadOnesAreLeftOut) {
  EXPECT_NE(
      RenderSyncLine(Entry(SyncVerb::kParticipantsChanged, ParticipantsDetail({UserId("bob")}, {})))
          .find("(added bob)."),
      std::string::npos);
  EXPECT_NE(
      RenderSyncLine(Entry(SyncVerb::kMarkedAllRead, CountDetail(4))).find("marked 4 messages"),
      std::string::npos);
  EXPECT_NE(RenderSyncLine(Entry(SyncVerb::kMessageDeleted, ModeDetail(false)))
                .find("for their devices."),
            std::string::npos);
  // Malformed or unexpected details never break the line.
  EXPECT_NE(
      RenderSyncLine(Entry(SyncVerb::kMarkedAllRead, "{not json")).find("marked all messages"),
      std::string::npos);
  EXPECT_EQ(RenderSyncLine(Entry(SyncVerb::kParticipantsChanged, R"({"added":[1,2]})")),
            std::string("Sync: User alice changed the participants of conversation "
                        "layer:///conversations/") +
                kConv + ".");
}

TEST(SyncLogLine, AnEmptyUserIsThePlatformApi) {
  SyncLogEntry e = Entry(SyncVerb::kConversationCreated);
  e.actor = SyncActor::User(UserId());
  EXPECT_FALSE(e.actor.is_user);
  EXPECT_EQ(RenderSyncLine(e).rfind("Sync: Service Platform API created conversation", 0), 0u);
}

TEST(SyncLogVerb, NamesRoundTrip) {
  for (SyncVerb v :
       {SyncVerb::kConversationCreated, SyncVerb::kParticipantsChanged, SyncVerb::kMetadataChanged,
        SyncVerb::kConversationDeleted, SyncVerb::kConversationLeft, SyncVerb::kMessageCreated,
        SyncVerb::kMessageDeleted, SyncVerb::kDeliveryReceipt, SyncVerb::kReadReceipt,
        SyncVerb::kMarkedAllRead, SyncVerb::kIdentityUpdated, SyncVerb::kSessionStarted,
        SyncVerb::kIdentityDeleted, SyncVerb::kUserBlocked, SyncVerb::kUserUnblocked,
        SyncVerb::kAnnouncementSent}) {
    EXPECT_EQ(ParseSyncVerb(SyncVerbName(v)), v) << SyncVerbName(v);
  }
  EXPECT_FALSE(ParseSyncVerb("exploded").has_value());
}

}  // namespace
}  // namespace relayer
