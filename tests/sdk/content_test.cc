// Rich content: parts over 2 KB are uploaded by the sender's SDK and fetched lazily by the
// receiver's.
#include "sdk/sdk_fixture.h"

namespace relayer::sdk::test {
namespace {

using it::PollUntil;

TEST_F(SdkTest, LargePartIsUploadedAndFetchedLazily) {
  auto alice = Connected("alice");
  auto bob = Connected("bob");
  Events<MessagesAddEvent> bob_adds;
  bob->onMessagesAdd([&](const MessagesAddEvent& e) { bob_adds.Add(e); });
  std::string image(10 * 1024, '\0');
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>(i * 7 + 3);
  Conversation conv = alice->createConversation({.participants = {"bob"}});
  Message msg =
      conv.createMessage({MessagePart::Text("a picture"), MessagePart("image/png", image)});
  auto [cb, f] = StatusPromise();
  msg.send({}, cb);
  ASSERT_TRUE(Wait(f).ok());
  ASSERT_TRUE(msg.parts().at(1).hasContent());
  EXPECT_EQ(msg.parts().at(1).content()->size, 10 * 1024);
  EXPECT_FALSE(msg.parts().at(0).hasContent());

  ASSERT_TRUE(PollUntil([&] { return bob_adds.size() == 1; }));
  Message got = bob_adds.Snapshot()[0].messages.at(0);
  EXPECT_EQ(got.parts().at(0).body(), "a picture");
  MessagePart part = got.parts().at(1);
  ASSERT_TRUE(part.hasContent());
  EXPECT_FALSE(part.isLoaded());
  EXPECT_EQ(part.mimeType(), "image/png");

  auto p = std::make_shared<std::promise<Result<std::string>>>();
  auto bytes_future = p->get_future();
  got.fetchPart(1, [p](Result<std::string> r) { p->set_value(std::move(r)); });
  ASSERT_EQ(bytes_future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto bytes = bytes_future.get();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(bytes.value(), image);
  EXPECT_TRUE(got.parts().at(1).isLoaded());
}

}  // namespace
}  // namespace relayer::sdk::test
