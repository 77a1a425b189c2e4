#include "chat_command.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <deque>
#include <future>
#include <iostream>
#include <map>
#include <mutex>

#include "chat_screen.h"
#include "cli_format.h"
#include "cli_session.h"
#include "stop_signals.h"

namespace relayer::apps {

void AddChatCommand(CLI::App& app, ChatOptions& o) {
  auto* cmd =
      app.add_subcommand("chat", "Interactive chat in the distinct conversation with --with");
  AddClientFlags(cmd, o.client);
  cmd->add_option("--with", o.with, "The other participants' user ids, comma-separated")
      ->required();
  cmd->add_option("--history", o.history, "Messages of history to show [50]");
}

namespace {

// What the SDK thread hands to the main thread, which alone owns the chat's state.
struct Inbox {
  std::mutex mu;
  std::vector<Message> added;
  std::map<std::string, TypingState> typing;
  std::string connection;
  int wake[2] = {-1, -1};

  void Wake() { (void)!write(wake[1], "x", 1); }
};

class Chat {
 public:
  Chat(const ChatOptions& o, Conversation conv, ChatScreen& screen)
      : o_(o), conv_(std::move(conv)), screen_(screen) {}

  void Show(const Message& m) {
    for (const auto& s : shown_)
      if (s.id() == m.id()) return;
    shown_.push_back(m);
    if (SenderName(m) != o_.client.user && !m.isRead()) Message(m).markRead();
    if (screen_.interactive()) return;
    std::cout << Line(m) << std::endl;  // its mark as of now; later changes print below
    printed_[m.id().str()] = LeastRecipientState(m);
  }

  void Send(const std::string& text) {
    Message m = conv_.createMessage(text);
    m.send();
    Show(m);
    conv_.sendTyping(TypingState::kFinished);
    typing_sent_ = false;
  }

  void Typing(const std::string& input) {
    bool typing = !input.empty();
    if (typing == typing_sent_) return;
    typing_sent_ = typing;
    conv_.sendTyping(typing ? TypingState::kStarted : TypingState::kFinished);
  }

  // Takes what the SDK thread left; in line mode, prints receipt changes of own messages.
  void Drain(Inbox& inbox) {
    std::vector<Message> added;
    {
      std::lock_guard lock(inbox.mu);
      added.swap(inbox.added);
      for (auto& [user, state] : inbox.typing) typing_[user] = state;
      inbox.typing.clear();
      connection_ = inbox.connection;
    }
    for (const auto& m : added)
      if (m.conversationId() == conv_.id()) Show(m);
    if (screen_.interactive()) return;
    for (const auto& m : shown_) {
      if (SenderName(m) != o_.client.user) continue;
      ReceiptState now = LeastRecipientState(m);
      auto& last = printed_[m.id().str()];
      if (now > last && now > ReceiptState::kPending) {
        last = now;
        std::cout << "  " << ReceiptMark(now) << " " << PartsText(m) << std::endl;
      }
    }
  }

  void Draw(const std::string& input) {
    if (!screen_.interactive()) return;
    ChatFrame f;
    f.header = "relayer chat: " + o_.client.user + " with " + o_.with + "  [" + connection_ +
               "]  (Enter sends, Ctrl-D quits)";
    for (const auto& m : shown_) f.lines.push_back(Line(m));
    for (const auto& [user, state] : typing_) {
      if (state == TypingState::kFinished) continue;
      if (!f.status.empty()) f.status += ", ";
      f.status += user + (state == TypingState::kStarted ? " is typing…" : " paused typing");
    }
    f.input = input;
    screen_.Draw(f);
  }

 private:
  std::string Line(const Message& m) const {
    std::string line = ClockTime(m) + " " + SenderName(m) + ": " + PartsText(m);
    if (SenderName(m) == o_.client.user)
      line += std::string("  ") + ReceiptMark(LeastRecipientState(m));
    return line;
  }

  const ChatOptions& o_;
  Conversation conv_;
  ChatScreen& screen_;
  std::vector<Message> shown_;
  std::map<std::string, TypingState> typing_;
  std::map<std::string, ReceiptState> printed_;
  std::string connection_ = "connected";
  bool typing_sent_ = false;
};

// The newest `count` messages, oldest first.
Result<std::vector<Message>> LoadHistory(Client& client, const ConversationId& id, int count,
                                         std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<Result<QueryPage<Message>>>>();
  auto future = promise->get_future();
  QueryOptions q;
  q.page_size = std::clamp(count, 1, 100);
  client.queryMessages(
      id, q, [promise](Result<QueryPage<Message>> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(timeout) != std::future_status::ready)
    return Status(StatusCode::kCancelled, "timed out");
  auto page = future.get();
  if (!page.ok()) return page.status();
  std::vector<Message> out(page->items.rbegin(), page->items.rend());
  return out;
}

}  // namespace

int RunChat(const ChatOptions& o) {
  StopSignals stop;  // before the SDK thread starts
  std::unique_ptr<Client> client;
  if (int code = ConnectClient(o.client, client); code != kExitOk) return code;
  ConversationOptions conv_options;
  conv_options.participants = SplitUsers(o.with);
  Conversation conv;
  Status s = WaitFor(
      [&](StatusCallback done) {
        conv = client->createConversation(conv_options, std::move(done));
      },
      Timeout(o.client));
  if (!s.ok()) return Fail("cannot open the conversation with " + o.with, s);
  auto history = LoadHistory(*client, conv.id(), o.history, Timeout(o.client));
  if (!history.ok()) return Fail("cannot load the history", history.status());

  Inbox inbox;
  if (pipe2(inbox.wake, O_CLOEXEC | O_NONBLOCK) != 0) return kExitError;
  client->onMessagesAdd([&inbox](const MessagesAddEvent& e) {
    std::lock_guard lock(inbox.mu);
    inbox.added.insert(inbox.added.end(), e.messages.begin(), e.messages.end());
    inbox.Wake();
  });
  client->onMessagesChange([&inbox](const MessagesChangeEvent&) { inbox.Wake(); });
  client->onTyping([&inbox, id = conv.id()](const TypingEvent& e) {
    if (e.conversation != id) return;
    std::lock_guard lock(inbox.mu);
    inbox.typing[e.user_id] = e.state;
    inbox.Wake();
  });
  client->onConnectionState([&inbox](const ConnectionEvent& e) {
    std::lock_guard lock(inbox.mu);
    inbox.connection = ToString(e.state);
    inbox.Wake();
  });
  {
    std::lock_guard lock(inbox.mu);
    inbox.connection = ToString(client->connectionState());
  }

  ChatScreen screen;
  Chat chat(o, conv, screen);
  for (const auto& m : history.value()) chat.Show(m);
  LineEditor editor;
  std::string pending_line;  // line mode: input not yet ended by a newline
  bool input_open = true, quit = false;
  chat.Drain(inbox);
  chat.Draw(editor.text());
  while (!quit) {
    pollfd fds[3] = {{stop.fd(), POLLIN, 0}, {inbox.wake[0], POLLIN, 0}, {0, POLLIN, 0}};
    int n = poll(fds, input_open ? 3 : 2, 1000);
    if (n < 0 && errno != EINTR) break;
    if (fds[0].revents && stop.Take()) break;
    if (fds[1].revents) {
      char buf[256];
      while (read(inbox.wake[0], buf, sizeof buf) > 0) {
      }
    }
    if (input_open && fds[2].revents) {
      char buf[1024];
      ssize_t got = read(0, buf, sizeof buf);
      if (got <= 0) {
        input_open = false;
        if (!screen.interactive()) quit = true;
      }
      for (ssize_t i = 0; i < got; ++i) {
        if (!screen.interactive()) {
          if (buf[i] != '\n') {
            pending_line += buf[i];
          } else if (!pending_line.empty()) {
            chat.Send(std::exchange(pending_line, {}));
          }
          continue;
        }
        auto key = editor.Feed(buf[i]);
        if (key == LineEditor::Key::kQuit) quit = true;
        if (key == LineEditor::Key::kSubmit) {
          std::string line = editor.Take();
          if (line == "/quit")
            quit = true;
          else if (!line.empty())
            chat.Send(line);
        }
        chat.Typing(editor.text());
      }
    }
    chat.Drain(inbox);
    chat.Draw(editor.text());
  }
  // Piped input ended: let the queued sends reach the server before leaving.
  auto deadline = std::chrono::steady_clock::now() + Timeout(o.client);
  while (client->pendingCount() > 0 && std::chrono::steady_clock::now() < deadline &&
         !stop.Wait(std::chrono::milliseconds(50))) {
  }
  client->disconnect();
  client.reset();  // joins the SDK thread before `inbox` goes
  close(inbox.wake[0]);
  close(inbox.wake[1]);
  return kExitOk;
}

}  // namespace relayer::apps
