// Queries with paging, and conversations: distinct merge, participants, metadata.
#include <set>

#include "sdk/sdk_fixture.h"

namespace relayer::sdk::test {
namespace {

using it::PollUntil;

template <typename T>
Result<QueryPage<T>> WaitPage(std::future<Result<QueryPage<T>>>& f) {
  if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
    return Status(StatusCode::kCancelled, "timed out");
  return f.get();
}

template <typename T>
std::pair<Callback<QueryPage<T>>, std::future<Result<QueryPage<T>>>> PagePromise() {
  auto p = std::make_shared<std::promise<Result<QueryPage<T>>>>();
  auto f = p->get_future();
  return {[p](Result<QueryPage<T>> r) { p->set_value(std::move(r)); }, std::move(f)};
}

TEST_F(SdkTest, ConversationsArePagedToTheEnd) {
  auto alice = Connected("alice");
  std::set<std::string> created;
  for (int i = 0; i < 5; ++i) {
    auto [cb, f] = StatusPromise();
    auto c = alice->createConversation(
        {.participants = {"bob"}, .distinct = false, .metadata = {{"n", std::to_string(i)}}}, cb);
    ASSERT_TRUE(Wait(f).ok());
    created.insert(c.id().str());
  }
  std::set<std::string> seen;
  std::vector<size_t> sizes;
  QueryOptions options{.page_size = 2};
  for (;;) {
    auto [cb, f] = PagePromise<Conversation>();
    alice->queryConversations(options, cb);
    auto page = WaitPage(f);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(page->total, 5);
    sizes.push_back(page->items.size());
    for (const auto& c : page->items) seen.insert(c.id().str());
    if (!page->hasMore()) break;
    options.from_id = page->next_from_id;
    ASSERT_LT(sizes.size(), 5u);
  }
  EXPECT_EQ(seen, created);
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
}

TEST_F(SdkTest, MessagesArePagedNewestFirst) {
  auto alice = Connected("alice");
  Conversation conv = alice->createConversation({.participants = {"bob"}});
  std::vector<Message> sent;
  for (int i = 0; i < 6; ++i) {
    sent.push_back(conv.createMessage("n" + std::to_string(i)));
    sent.back().send();
  }
  ASSERT_TRUE(PollUntil([&] { return alice->pendingCount() == 0; }));
  auto bob = Connected("bob");
  std::vector<std::string> texts;
  QueryOptions options{.page_size = 3};
  int pages = 0;
  for (; pages < 4; ++pages) {
    auto [cb, f] = PagePromise<Message>();
    bob->queryMessages(conv.id(), options, cb);
    auto page = WaitPage(f);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(page->total, 6);
    for (const auto& m : page->items) texts.push_back(m.parts().at(0).body());
    if (!page->hasMore()) break;
    options.from_id = page->next_from_id;
  }
  EXPECT_EQ(pages, 1);  // two full pages, and no empty third one
  EXPECT_EQ(texts, (std::vector<std::string>{"n5", "n4", "n3", "n2", "n1", "n0"}));
  // Loading them made bob's SDK acknowledge delivery, as the Web SDK does.
  EXPECT_TRUE(PollUntil([&] {
    for (const auto& m : sent)
      if (m.deliveryStatus() != RecipientSummary::kAll) return false;
    return true;
  }));
}

TEST_F(SdkTest, DistinctConversationMergesIntoTheExistingOne) {
  auto bob = Connected("bob");
  auto [cb, f] = StatusPromise();
  Conversation bobs = bob->createConversation({.participants = {"alice"}}, cb);
  ASSERT_TRUE(Wait(f).ok());
  auto alice = Connected("alice");
  Events<ConversationsChangeEvent> changes;
  alice->onConversationsChange([&](const ConversationsChangeEvent& e) { changes.Add(e); });
  auto [cb2, f2] = StatusPromise();
  Conversation alices = alice->createConversation({.participants = {"bob"}}, cb2);
  ConversationId local = alices.id();
  Message queued = alices.createMessage("into the same one");
  queued.send();
  ASSERT_TRUE(Wait(f2).ok());
  EXPECT_EQ(alices.id(), bobs.id());
  EXPECT_NE(local, bobs.id());
  EXPECT_TRUE(alices.isDistinct());
  ASSERT_TRUE(PollUntil([&] { return alice->pendingCount() == 0; }));
  EXPECT_EQ(queued.conversationId(), bobs.id());
  bool saw_id_change = false;
  for (const auto& e : changes.Snapshot())
    if (e.hasProperty("id")) saw_id_change = true;
  EXPECT_TRUE(saw_id_change);
  EXPECT_EQ(MessageTexts("bob", bobs.id().str()), (std::vector<std::string>{"into the same one"}));
}

TEST_F(SdkTest, ParticipantChangesClearDistinctAndReachOthers) {
  auto alice = Connected("alice");
  auto bob = Connected("bob");
  Events<ConversationsChangeEvent> bob_changes;
  bob->onConversationsChange([&](const ConversationsChangeEvent& e) { bob_changes.Add(e); });
  auto [cb, f] = StatusPromise();
  Conversation conv = alice->createConversation({.participants = {"bob"}}, cb);
  ASSERT_TRUE(Wait(f).ok());
  ASSERT_TRUE(PollUntil([&] { return bool(bob->getConversation(conv.id())); }));
  auto [cb2, f2] = StatusPromise();
  conv.addParticipants({"carol"}, cb2);
  ASSERT_TRUE(Wait(f2).ok());
  Conversation bobs = bob->getConversation(conv.id());
  ASSERT_TRUE(PollUntil([&] {
    auto p = bobs.participants();
    return std::find(p.begin(), p.end(), "carol") != p.end() && !bobs.isDistinct();
  }));
  // The event may come after the model shows the change: wait for it too.
  EXPECT_TRUE(PollUntil([&] {
    for (const auto& e : bob_changes.Snapshot())
      if (const auto* c = e.changeFor("participants"))
        if (std::get<std::vector<std::string>>(c->new_value).size() == 3) return true;
    return false;
  }));
}

TEST_F(SdkTest, MetadataAndRemovedParticipantsReachOthers) {
  auto alice = Connected("alice");
  auto bob = Connected("bob");
  Events<ConversationsChangeEvent> bob_changes;
  bob->onConversationsChange([&](const ConversationsChangeEvent& e) { bob_changes.Add(e); });
  auto [cb, f] = StatusPromise();
  Conversation conv = alice->createConversation(
      {.participants = {"bob", "carol"}, .distinct = false, .metadata = {{"title.en", "Hi"}}}, cb);
  ASSERT_TRUE(Wait(f).ok());
  ASSERT_TRUE(PollUntil([&] { return bool(bob->getConversation(conv.id())); }));
  Conversation bobs = bob->getConversation(conv.id());
  EXPECT_EQ(bobs.metadata(), (Metadata{{"title.en", "Hi"}}));

  auto [cb2, f2] = StatusPromise();
  conv.setMetadata("title.de", "Hallo", cb2);
  ASSERT_TRUE(Wait(f2).ok());
  ASSERT_TRUE(PollUntil([&] { return bobs.metadata().count("title.de") == 1; }));
  EXPECT_EQ(bobs.metadata(), (Metadata{{"title.de", "Hallo"}, {"title.en", "Hi"}}));
  auto [cb3, f3] = StatusPromise();
  conv.removeParticipants({"carol"}, cb3);
  ASSERT_TRUE(Wait(f3).ok());
  ASSERT_TRUE(PollUntil([&] { return bobs.participants().size() == 2; }));
  bool saw_metadata = false;
  for (const auto& e : bob_changes.Snapshot())
    if (const auto* c = e.changeFor("metadata"))
      saw_metadata = std::get<Metadata>(c->new_value).count("title.de") == 1 &&
                     std::get<Metadata>(c->old_value).count("title.de") == 0;
  EXPECT_TRUE(saw_metadata);
}

}  // namespace
}  // namespace relayer::sdk::test
