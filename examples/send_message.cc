// Sends one message to a distinct conversation, as the guide's first snippet:
//   conversation = client.createConversation({participants: ['bob'], distinct: true});
//   conversation.createMessage('Hello').send({text: 'alice: Hello', sound: 'chime.aiff'});
#include "example_util.h"

using namespace example;

int main(int argc, char** argv) {
  Client client(OptionsFromArgs(argc, argv, "FROM TO TEXT"));
  if (argc < 6) return 2;
  ConnectOrExit(client, argv[3]);
  Conversation conversation = client.createConversation({.participants = {argv[4]}});
  Message message = conversation.createMessage(argv[5]);
  std::promise<Status> sent;
  message.send({.text = std::string(argv[3]) + ": " + argv[5], .sound = "chime.aiff"},
               [&](const Status& s) { sent.set_value(s); });
  Status s = sent.get_future().get();  // the SDK retries until the server has it
  if (!s.ok()) {
    std::fprintf(stderr, "send: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%s in %s at position %lld\n", message.id().str().c_str(),
              conversation.id().str().c_str(), static_cast<long long>(message.position()));
  return 0;
}
