// `relayer tail --as bob`: prints messages as they arrive and receipt changes of known messages,
// one line each (--json: one JSON object per line), until SIGINT or SIGTERM.
#pragma once

#include <CLI/CLI.hpp>

#include "cli_flags.h"

namespace relayer::apps {

struct TailOptions {
  ClientFlags client;
  bool json = false;
  bool fetch = false;      // download rich-content parts before printing the message
  bool mark_read = false;  // send a read receipt for every message printed
};

void AddTailCommand(CLI::App& app, TailOptions& options);
int RunTail(const TailOptions& options);

}  // namespace relayer::apps
