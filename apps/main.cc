// The one `relayer` binary: subcommands serve, token, bench and the client commands send, tail
// and chat (see README and docs/).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <string_view>

#include "bench/cli.h"
#include "chat_command.h"
#include "send_command.h"
#include "serve_command.h"
#include "tail_command.h"
#include "token_command.h"

int main(int argc, char** argv) {
  // The load generator has its own command line (bench/cli.cc); hand it everything after "bench".
  if (argc > 1 && std::string_view(argv[1]) == "bench")
    return relayer::bench::Main(argc - 1, argv + 1);
  CLI::App app{"Relayer: a self-hosted server for the Layer chat protocol"};
  app.require_subcommand(1);
  relayer::apps::ServeOptions serve;
  relayer::apps::AddServeCommand(app, serve);
  relayer::apps::TokenOptions token;
  relayer::apps::AddTokenCommand(app, token);
  relayer::apps::SendOptions send;
  relayer::apps::AddSendCommand(app, send);
  relayer::apps::TailOptions tail;
  relayer::apps::AddTailCommand(app, tail);
  relayer::apps::ChatOptions chat;
  relayer::apps::AddChatCommand(app, chat);
  app.add_subcommand("bench", "Load generators and benchmark scenarios (relayer bench --help)");
  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("serve")) return relayer::apps::RunServe(serve);
  if (app.got_subcommand("token")) return relayer::apps::RunToken(token);
  if (app.got_subcommand("send")) return relayer::apps::RunSend(send);
  if (app.got_subcommand("tail")) return relayer::apps::RunTail(tail);
  if (app.got_subcommand("chat")) return relayer::apps::RunChat(chat);
  return 2;
}
