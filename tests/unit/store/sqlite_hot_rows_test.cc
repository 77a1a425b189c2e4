// The writer's cache of what a send reads (store/sqlite/hot_rows.h): keys, apps and its bound.
#include <gtest/gtest.h>

#include <string>

#include "store/sqlite/hot_rows.h"

namespace relayer::sqlite {
namespace {

const AppId kApp("a0000000-0000-4000-8000-000000000001");
const AppId kOtherApp("a0000000-0000-4000-8000-000000000002");

HotRows::Conversation Held(const std::string& id, int64_t rowid) {
  HotRows::Conversation c;
  c.row.rowid = rowid;
  c.row.id = ConversationId(id);
  c.row.app = kApp;
  c.participants = {UserId("alice"), UserId("bob")};
  return c;
}

TEST(HotRows, HoldsAConversationForItsAppOnly) {
  HotRows hot;
  const ConversationId id("c0000000-0000-4000-8000-000000000001");
  EXPECT_EQ(hot.FindConversation(kApp, id), nullptr);
  hot.PutConversation(Held(id.str(), 7));
  ASSERT_NE(hot.FindConversation(kApp, id), nullptr);
  EXPECT_EQ(hot.FindConversation(kApp, id)->row.rowid, 7);
  EXPECT_EQ(hot.FindConversation(kOtherApp, id), nullptr);
  hot.Clear();
  EXPECT_EQ(hot.FindConversation(kApp, id), nullptr);
}

TEST(HotRows, NamesAreKeptPerAppAndUserWhateverTheIdsHold) {
  HotRows hot;
  hot.PutName(kApp, UserId("bob"), "Bob");
  ASSERT_NE(hot.FindName(kApp, UserId("bob")), nullptr);
  EXPECT_EQ(*hot.FindName(kApp, UserId("bob")), "Bob");
  EXPECT_EQ(hot.FindName(kOtherApp, UserId("bob")), nullptr);
  // Joined without a separator these two keys would be the same text.
  hot.PutName(AppId("ab"), UserId("c"), "one");
  EXPECT_EQ(hot.FindName(AppId("a"), UserId("bc")), nullptr);
  hot.Clear();
  EXPECT_EQ(hot.FindName(kApp, UserId("bob")), nullptr);
}

TEST(HotRows, StartsAgainEmptyPastItsBound) {
  HotRows hot;
  for (size_t i = 0; i < HotRows::kMaxEntries; ++i) {
    hot.PutConversation(Held("conversation-" + std::to_string(i), static_cast<int64_t>(i)));
    hot.PutName(kApp, UserId("user-" + std::to_string(i)), "name");
  }
  const ConversationId first("conversation-0");
  ASSERT_NE(hot.FindConversation(kApp, first), nullptr);
  ASSERT_NE(hot.FindName(kApp, UserId("user-0")), nullptr);
  hot.PutConversation(Held("one-more", 1));
  hot.PutName(kApp, UserId("one-more"), "name");
  EXPECT_EQ(hot.FindConversation(kApp, first), nullptr);
  EXPECT_EQ(hot.FindName(kApp, UserId("user-0")), nullptr);
  EXPECT_NE(hot.FindConversation(kApp, ConversationId("one-more")), nullptr);
  EXPECT_NE(hot.FindName(kApp, UserId("one-more")), nullptr);
}

}  // namespace
}  // namespace relayer::sqlite
