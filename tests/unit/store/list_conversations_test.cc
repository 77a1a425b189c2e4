// Listing conversations: sort orders, paging, totals, per-viewer counts.
#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

std::vector<ConversationId> Ids(const ConversationList& list) {
  std::vector<ConversationId> out;
  for (const Conversation& c : list.items) out.push_back(c.id);
  return out;
}

TEST_P(StoreConformance, ListByCreatedAtIsNewestFirstAndPages) {
  std::vector<ConversationId> created;
  for (int i = 0; i < 5; ++i) created.push_back(MakeConversation("alice", {"bob"}).id);
  MakeConversation("carol", {"dave"});  // not alice's
  auto page1 = store().ListConversations(app_, U("alice"), ConversationSort::kCreatedAt,
                                         Page{2, std::nullopt});
  ASSERT_TRUE(page1.ok());
  EXPECT_EQ(page1->total, 5);
  EXPECT_EQ(Ids(*page1), (std::vector<ConversationId>{created[4], created[3]}));
  auto page2 = store().ListConversations(app_, U("alice"), ConversationSort::kCreatedAt,
                                         Page{2, created[3].str()});
  EXPECT_EQ(Ids(*page2), (std::vector<ConversationId>{created[2], created[1]}));
  auto page3 = store().ListConversations(app_, U("alice"), ConversationSort::kCreatedAt,
                                         Page{2, "layer:///conversations/" + created[1].str()});
  EXPECT_EQ(Ids(*page3), (std::vector<ConversationId>{created[0]}));
}

TEST_P(StoreConformance, ListByLastMessagePutsRecentlyActiveFirst) {
  ConversationId a = MakeConversation("alice", {"bob"}).id;
  ConversationId b = MakeConversation("alice", {"carol"}).id;
  ConversationId c = MakeConversation("alice", {"dave"}).id;
  Send(a, "bob");  // a is now the most recent
  auto list = store().ListConversations(app_, U("alice"), ConversationSort::kLastMessage,
                                        Page{10, std::nullopt});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Ids(*list), (std::vector<ConversationId>{a, c, b}));
  auto after_a = store().ListConversations(app_, U("alice"), ConversationSort::kLastMessage,
                                           Page{10, a.str()});
  EXPECT_EQ(Ids(*after_a), (std::vector<ConversationId>{c, b}));
  auto by_created = store().ListConversations(app_, U("alice"), ConversationSort::kCreatedAt,
                                              Page{10, std::nullopt});
  EXPECT_EQ(Ids(*by_created), (std::vector<ConversationId>{c, b, a}));
}

TEST_P(StoreConformance, ListShowsPerViewerUnreadCounts) {
  ConversationId a = MakeConversation("alice", {"bob"}).id;
  Send(a, "alice");
  Send(a, "alice");
  auto bob = store().ListConversations(app_, U("bob"), ConversationSort::kCreatedAt, Page{});
  auto alice = store().ListConversations(app_, U("alice"), ConversationSort::kCreatedAt, Page{});
  ASSERT_EQ(bob->items.size(), 1u);
  EXPECT_EQ(bob->items[0].unread_message_count, 2);
  EXPECT_EQ(alice->items[0].unread_message_count, 0);
  EXPECT_EQ(bob->items[0].total_message_count, 2);
  ASSERT_TRUE(bob->items[0].last_message.has_value());
  EXPECT_EQ(bob->items[0].last_message->position, 2);
}

TEST_P(StoreConformance, PageSizeIsCappedByTheLimit) {
  Limits limits;
  limits.max_page_size = 3;
  Open(limits);
  for (int i = 0; i < 5; ++i) MakeConversation("alice", {"bob"});
  auto list = store().ListConversations(app_, U("alice"), ConversationSort::kCreatedAt,
                                        Page{1000, std::nullopt});
  EXPECT_EQ(list->items.size(), 3u);
  EXPECT_EQ(list->total, 5);
}

}  // namespace
}  // namespace relayer::testing
