// The guide's delivery confirmation: watch messages:change for recipientStatus and report when
// every recipient has the message, then when every recipient has read it.
//   message.on('messages:change', evt => { if (evt.hasProperty('recipientStatus')) ... })
#include <atomic>

#include "example_util.h"

using namespace example;

int main(int argc, char** argv) {
  Client client(OptionsFromArgs(argc, argv, "FROM TO TEXT"));
  if (argc < 6) return 2;
  ConnectOrExit(client, argv[3]);
  Conversation conversation = client.createConversation({.participants = {argv[4]}});
  Message message = conversation.createMessage(argv[5]);
  std::promise<void> read_by_all;
  std::atomic<bool> announced_delivery{false}, done{false};
  client.onMessagesChange([&](const MessagesChangeEvent& evt) {
    if (!(evt.target == message) || !evt.hasProperty("recipientStatus")) return;
    if (message.deliveryStatus() == RecipientSummary::kAll && !announced_delivery.exchange(true))
      std::printf("delivered to everyone\n");
    if (message.readStatus() == RecipientSummary::kAll && !done.exchange(true)) {
      std::printf("read by everyone\n");
      read_by_all.set_value();
    }
  });
  message.send();
  std::printf("sent; waiting for receipts (up to 60 s)\n");
  auto f = read_by_all.get_future();
  return f.wait_for(std::chrono::seconds(60)) == std::future_status::ready ? 0 : 1;
}
