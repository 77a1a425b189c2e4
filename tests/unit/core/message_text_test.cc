#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/representation.h"

namespace relayer {
namespace {

namespace json = boost::json;

Message TwoPartMessage() {
  Message m;
  m.id = MessageId("0193a1c2-0000-7000-8000-000000000001");
  m.conversation_id = ConversationId("0193a1c2-0000-7000-8000-0000000000c1");
  m.position = 7;
  m.sender.user_id = UserId("alice");
  m.sender.name = "Alice \"A\"";
  m.sent_at = 1764781200123;
  m.parts.push_back({"text/plain", "hi \"there\"\n", "", std::nullopt});
  m.parts.push_back({"application/json", R"({"k":1})", "", std::nullopt});
  m.notification = json::object{{"title", "t"}, {"text", "x"}};
  m.recipient_status[UserId("alice")] = ReceiptState::kRead;
  m.recipient_status[UserId("bob")] = ReceiptState::kSent;
  return m;
}

TEST(MessageText, EachViewersFormIsTheirMessageJson) {
  const Message m = TwoPartMessage();
  const std::string base = "http://127.0.0.1:7070";
  MessageText text(m, base, nullptr);
  for (const char* viewer : {"alice", "bob"}) {
    const UserId user(viewer);
    json::value rendered = json::parse(text.For(IsUnreadFor(m, user)));
    EXPECT_EQ(rendered, json::value(MessageJson(m, user, base))) << viewer;
  }
  EXPECT_EQ(json::parse(text.For(true)).at("is_unread"), true);
  EXPECT_EQ(json::parse(text.For(false)).at("is_unread"), false);
}

}  // namespace
}  // namespace relayer
