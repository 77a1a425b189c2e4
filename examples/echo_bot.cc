// A bot that replies to every message it receives, marking it read first; runs until killed
// (or for SECONDS when given).
#include <thread>

#include "example_util.h"

using namespace example;

int main(int argc, char** argv) {
  Client client(OptionsFromArgs(argc, argv, "BOT_USER [SECONDS]"));
  if (argc < 4) return 2;
  std::string me = argv[3];
  // Handlers run on the SDK thread; they only queue work, never wait for it.
  client.onMessagesAdd([&](const MessagesAddEvent& evt) {
    for (const Message& m : evt.messages) {
      if (m.sender().user_id == me || m.isRead()) continue;
      Conversation c = client.getConversation(m.conversationId());
      if (!c) continue;
      m.markRead();
      std::string text = m.parts().empty() ? "" : m.parts()[0].body();
      c.createMessage("echo: " + text).send();
      std::printf("replied to %s: %s\n", m.sender().user_id.c_str(), text.c_str());
      std::fflush(stdout);
    }
  });
  client.onConnectionState([](const ConnectionEvent& e) {
    std::printf("connection: %s\n", ToString(e.state));
    std::fflush(stdout);
  });
  ConnectOrExit(client, me);
  int seconds = argc > 4 ? std::atoi(argv[4]) : 0;
  for (int i = 0; seconds == 0 || i < seconds; ++i)
    std::this_thread::sleep_for(std::chrono::seconds(1));
  return 0;
}
