#include "tail_command.h"

#include <iostream>
#include <memory>
#include <mutex>

#include "cli_format.h"
#include "cli_session.h"
#include "stop_signals.h"

namespace relayer::apps {

void AddTailCommand(CLI::App& app, TailOptions& o) {
  auto* cmd = app.add_subcommand("tail", "Print arriving messages and receipt changes");
  AddClientFlags(cmd, o.client);
  cmd->add_flag("--json", o.json, "One JSON object per line");
  cmd->add_flag("--fetch", o.fetch, "Download rich-content parts and print their bodies");
  cmd->add_flag("--mark-read", o.mark_read, "Mark every printed message read");
}

namespace {

// Prints from the SDK thread; a line is written whole and flushed so that pipes see it at once.
class Printer {
 public:
  explicit Printer(const TailOptions& o) : o_(o) {}

  void OnMessage(const Message& m) {
    auto pending = std::make_shared<int>(0);
    std::vector<MessagePart> parts = m.parts();
    for (size_t i = 0; i < parts.size(); ++i) {
      const MessagePart& part = parts[i];
      if (!o_.fetch || !part.hasContent() || part.isLoaded()) continue;
      ++*pending;
      // Fetch callbacks run one at a time on the SDK thread: the counter needs no lock.
      Message copy = m;
      copy.fetchPart(i, [this, copy, pending](Result<std::string> r) {
        if (!r.ok())
          std::cerr << "relayer: cannot download a part: " << r.status().message() << std::endl;
        if (--*pending == 0) Print(copy);
      });
    }
    if (*pending == 0) Print(m);
  }

  void OnChange(const MessagesChangeEvent& e) {
    const PropertyChange* c = e.changeFor("recipientStatus");
    if (!c) return;
    const auto* before = std::get_if<RecipientStatus>(&c->old_value);
    const auto* after = std::get_if<RecipientStatus>(&c->new_value);
    if (!after) return;
    std::string sender = e.target.sender().user_id;
    for (const auto& [user, state] : *after) {
      if (user == sender) continue;
      auto old = before ? before->find(user) : RecipientStatus::const_iterator{};
      if (before && old != before->end() && old->second >= state) continue;
      if (state < ReceiptState::kDelivered) continue;  // "sent" is the message itself
      Write(o_.json ? ReceiptJson(e.target, user, state) : ReceiptLine(e.target, user, state));
    }
  }

 private:
  void Print(const Message& m) {
    Write(o_.json ? MessageJson(m) : MessageLine(m));
    if (o_.mark_read) Message(m).markRead();
  }
  void Write(const std::string& line) {
    std::lock_guard lock(mu_);
    std::cout << line << std::endl;
  }

  const TailOptions& o_;
  std::mutex mu_;
};

}  // namespace

int RunTail(const TailOptions& o) {
  StopSignals stop;  // before the SDK thread starts
  std::unique_ptr<Client> client;
  if (int code = ConnectClient(o.client, client); code != kExitOk) return code;
  Printer printer(o);
  client->onMessagesAdd([&printer](const MessagesAddEvent& e) {
    for (const auto& m : e.messages) printer.OnMessage(m);
  });
  client->onMessagesChange([&printer](const MessagesChangeEvent& e) { printer.OnChange(e); });
  client->onConnectionState([](const ConnectionEvent& e) {
    std::cerr << "relayer: " << ToString(e.state)
              << (e.reason.ok() ? "" : " (" + e.reason.message() + ")") << std::endl;
  });
  std::cerr << "relayer: tailing as " << o.client.user << std::endl;
  while (!stop.Wait(std::chrono::milliseconds(500))) {
  }
  client->disconnect();
  client.reset();  // joins the SDK thread before `printer` goes
  return kExitOk;
}

}  // namespace relayer::apps
