#include "send_command.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli_session.h"

namespace relayer::apps {

void AddSendCommand(CLI::App& app, SendOptions& o) {
  auto* cmd = app.add_subcommand("send", "Send a message to the distinct conversation with --to");
  AddClientFlags(cmd, o.client);
  auto* to = cmd->add_option("--to", o.to, "Recipients' user ids, comma-separated");
  auto* conv = cmd->add_option("--conversation", o.conversation,
                               "Send to this existing conversation (layer:///conversations/UUID)");
  to->excludes(conv);
  cmd->add_option("text", o.text, "Message text (a text/plain part)");
  cmd->add_option("--file", o.file, "Send this file as a part (rich content over 2 KB)");
  cmd->add_option("--mime", o.mime,
                  "MIME type of the --file part [application/octet-stream], or of the text");
}

namespace {

bool BuildParts(const SendOptions& o, std::vector<MessagePart>& parts) {
  if (!o.text.empty()) {
    bool text_mime = o.file.empty() && !o.mime.empty();
    parts.emplace_back(text_mime ? o.mime : "text/plain", o.text);
  }
  if (!o.file.empty()) {
    std::ifstream in(o.file, std::ios::binary);
    if (!in) {
      std::cerr << "relayer: cannot read " << o.file << std::endl;
      return false;
    }
    std::stringstream body;
    body << in.rdbuf();
    parts.emplace_back(o.mime.empty() ? "application/octet-stream" : o.mime, body.str());
  }
  if (parts.empty()) {
    std::cerr << "relayer: nothing to send: give a text or --file" << std::endl;
    return false;
  }
  if (parts.back().mimeType().find('/') == std::string::npos) {
    std::cerr << "relayer: --mime must look like type/subtype" << std::endl;
    return false;
  }
  return true;
}

}  // namespace

int RunSend(const SendOptions& o) {
  std::vector<MessagePart> parts;
  if (!BuildParts(o, parts)) return kExitUsage;
  ConversationOptions conv_options;
  conv_options.participants = SplitUsers(o.to);
  if (conv_options.participants.empty() && o.conversation.empty()) {
    std::cerr << "relayer: give --to USERS or --conversation ID" << std::endl;
    return kExitUsage;
  }
  std::unique_ptr<Client> client;
  if (int code = ConnectClient(o.client, client); code != kExitOk) return code;

  Conversation conversation;
  Status s;
  if (!o.conversation.empty()) {
    s = WaitFor(
        [&](StatusCallback done) {
          client->loadConversation(ConversationId(o.conversation),
                                   [&conversation, done](Result<Conversation> r) {
                                     if (r.ok()) conversation = r.value();
                                     done(r.ok() ? Status() : r.status());
                                   });
        },
        Timeout(o.client));
    if (!s.ok()) return Fail("cannot open the conversation " + o.conversation, s);
  } else {
    s = WaitFor(
        [&](StatusCallback done) {
          conversation = client->createConversation(conv_options, std::move(done));
        },
        Timeout(o.client));
    if (!s.ok()) return Fail("cannot open the conversation with " + o.to, s);
  }

  Message message = conversation.createMessage(std::move(parts));
  s = WaitFor([&](StatusCallback done) { message.send({}, std::move(done)); }, Timeout(o.client));
  if (!s.ok()) return Fail("the message was not sent", s);
  std::cout << message.id().str() << " " << message.conversationId().str() << std::endl;
  return kExitOk;
}

}  // namespace relayer::apps
