// Two SDK clients in one conversation: messages, automatic delivery receipts, read receipts,
// typing indicators, a bot that replies, and replay of what a client missed while away.
#include "sdk/sdk_fixture.h"

namespace relayer::sdk::test {
namespace {

using it::PollUntil;

ReceiptState StateOf(const Message& m, const std::string& user) {
  auto status = m.recipientStatus();
  auto it = status.find(user);
  return it == status.end() ? ReceiptState::kPending : it->second;
}

TEST_F(SdkTest, ReceiptsGoSentDeliveredReadAcrossTwoClients) {
  auto alice = Connected("alice");
  auto bob = Connected("bob");
  Events<MessagesAddEvent> bob_adds;
  bob->onMessagesAdd([&](const MessagesAddEvent& e) { bob_adds.Add(e); });
  std::vector<ReceiptState> seen;  // bob's state in alice's messages:change events, in order
  std::mutex seen_mu;
  alice->onMessagesChange([&](const MessagesChangeEvent& e) {
    if (const auto* c = e.changeFor("recipientStatus")) {
      const auto& now = std::get<RecipientStatus>(c->new_value);
      std::lock_guard lock(seen_mu);
      if (auto it = now.find("bob"); it != now.end() && (seen.empty() || seen.back() != it->second))
        seen.push_back(it->second);
    }
  });

  Events<MessagesAddEvent> alice_adds;
  alice->onMessagesAdd([&](const MessagesAddEvent& e) { alice_adds.Add(e); });
  Conversation conv = alice->createConversation({.participants = {"bob"}});
  Message msg = conv.createMessage("hello bob");
  EXPECT_EQ(StateOf(msg, "bob"), ReceiptState::kPending);
  EXPECT_EQ(alice_adds.size(), 0u);  // created, not sent: not announced yet
  auto [cb, f] = StatusPromise();
  msg.send({.text = "alice: hello bob", .sound = "ding"}, cb);
  ASSERT_TRUE(Wait(f).ok());
  EXPECT_TRUE(msg.isSent());
  ASSERT_EQ(alice_adds.size(), 1u);  // announced once, when send() was called
  EXPECT_EQ(alice_adds.Snapshot()[0].messages.at(0), msg);
  EXPECT_GT(msg.position(), 0);

  ASSERT_TRUE(PollUntil([&] { return bob_adds.size() == 1; }));
  Message received = bob_adds.Snapshot()[0].messages.at(0);
  EXPECT_EQ(received.id(), msg.id());
  EXPECT_EQ(received.parts().at(0).body(), "hello bob");
  EXPECT_EQ(received.sender().user_id, "alice");
  EXPECT_FALSE(received.isRead());
  // Bob's SDK sent the delivery receipt by itself.
  ASSERT_TRUE(PollUntil([&] { return msg.deliveryStatus() == RecipientSummary::kAll; }));
  EXPECT_EQ(msg.readStatus(), RecipientSummary::kNone);

  received.markRead();
  EXPECT_TRUE(PollUntil([&] { return received.isRead(); }));
  ASSERT_TRUE(PollUntil([&] { return msg.readStatus() == RecipientSummary::kAll; }));
  EXPECT_EQ(StateOf(msg, "bob"), ReceiptState::kRead);
  std::lock_guard lock(seen_mu);
  EXPECT_EQ(seen, (std::vector<ReceiptState>{ReceiptState::kSent, ReceiptState::kDelivered,
                                             ReceiptState::kRead}));
}

TEST_F(SdkTest, TypingIndicatorReachesTheOtherParticipant) {
  auto alice = Connected("alice");
  auto bob = Connected("bob");
  Events<TypingEvent> typing;
  bob->onTyping([&](const TypingEvent& e) { typing.Add(e); });
  Conversation conv = alice->createConversation({.participants = {"bob"}});
  auto [cb, f] = StatusPromise();
  conv.createMessage("so").send({}, cb);  // bob learns of the conversation
  ASSERT_TRUE(Wait(f).ok());
  conv.sendTyping(TypingState::kStarted);
  ASSERT_TRUE(PollUntil([&] { return typing.size() >= 1; }));
  auto e = typing.Snapshot()[0];
  EXPECT_EQ(e.user_id, "alice");
  EXPECT_EQ(e.state, TypingState::kStarted);
  EXPECT_EQ(e.conversation, conv.id());
}

TEST_F(SdkTest, BotRepliesToEveryMessage) {
  auto bot = Connected("bot");
  bot->onMessagesAdd([&](const MessagesAddEvent& e) {
    for (const Message& m : e.messages) {
      if (m.sender().user_id == "bot") continue;
      Conversation c = bot->getConversation(m.conversationId());
      if (!c) continue;
      m.markRead();
      c.createMessage("echo: " + m.parts().at(0).body()).send();
    }
  });
  auto alice = Connected("alice");
  Events<MessagesAddEvent> alice_adds;
  alice->onMessagesAdd([&](const MessagesAddEvent& e) { alice_adds.Add(e); });
  Conversation conv = alice->createConversation({.participants = {"bot"}});
  conv.createMessage("ping").send();
  ASSERT_TRUE(PollUntil([&] {
    for (const auto& e : alice_adds.Snapshot())
      for (const auto& m : e.messages)
        if (m.sender().user_id == "bot" && m.parts().at(0).body() == "echo: ping") return true;
    return false;
  }));
  EXPECT_EQ(MessageTexts("alice", conv.id().str()),
            (std::vector<std::string>{"ping", "echo: ping"}));
}

TEST_F(SdkTest, MissedMessagesAreReplayedAfterReconnect) {
  auto alice = Connected("alice");
  auto bob = Connected("bob");
  Events<MessagesAddEvent> bob_adds;
  bob->onMessagesAdd([&](const MessagesAddEvent& e) { bob_adds.Add(e); });
  Conversation conv = alice->createConversation({.participants = {"bob"}});
  conv.createMessage("one").send();
  ASSERT_TRUE(PollUntil([&] { return bob_adds.size() == 1; }));

  bob->disconnect();
  ASSERT_TRUE(PollUntil([&] { return bob->connectionState() == ConnectionState::kDisconnected; }));
  auto [cb, f] = StatusPromise();
  conv.createMessage("two").send({}, cb);
  ASSERT_TRUE(Wait(f).ok());
  auto [cb2, f2] = StatusPromise();
  bob->connect("bob", cb2);
  ASSERT_TRUE(Wait(f2).ok());
  ASSERT_TRUE(PollUntil([&] { return bob_adds.size() == 2; }));
  EXPECT_EQ(bob_adds.Snapshot()[1].messages.at(0).parts().at(0).body(), "two");
}

TEST_F(SdkTest, BadIdentityTokenEndsConnectWithUnauthenticated) {
  ClientOptions o = Options();
  o.identity_token = [](const std::string&, const std::string&, Callback<std::string> done) {
    done(std::string("not-a-jwt"));
  };
  Client client(o);
  auto [cb, f] = StatusPromise();
  client.connect("mallory", cb);
  Status s = Wait(f);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  EXPECT_EQ(client.connectionState(), ConnectionState::kDisconnected);
}

}  // namespace
}  // namespace relayer::sdk::test
