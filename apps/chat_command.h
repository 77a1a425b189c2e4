// `relayer chat --as alice --with bob[,carol]`: an interactive chat in the distinct conversation
// with those users. Shows the history and new messages, own messages with their receipt state
// updating live (… queued, ✓ sent, ✓✓ delivered, read), marks shown messages read, and shows
// typing indicators. On a terminal it draws a screen with the input line at the bottom; with
// piped input it works line by line (each input line is sent; events are printed as lines).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli_flags.h"

namespace relayer::apps {

struct ChatOptions {
  ClientFlags client;
  std::string with;  // comma-separated user ids
  int history = 50;  // messages of history shown at start
};

void AddChatCommand(CLI::App& app, ChatOptions& options);
int RunChat(const ChatOptions& options);

}  // namespace relayer::apps
