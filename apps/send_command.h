// `relayer send --as alice --to bob[,carol] "text"`: sends one message to the distinct
// conversation of those users (created or reused) and exits once the server acknowledged it.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli_flags.h"

namespace relayer::apps {

struct SendOptions {
  ClientFlags client;
  std::string to;            // comma-separated user ids
  std::string conversation;  // or an existing conversation's id
  std::string text;          // optional when --file is given
  std::string file;          // sent as one part (rich content when over 2 KB)
  std::string mime;          // MIME type of the file part (or of the text part without --file)
};

void AddSendCommand(CLI::App& app, SendOptions& options);
int RunSend(const SendOptions& options);

}  // namespace relayer::apps
