// The one `relayer` binary: subcommands serve and token (see README and docs/).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "serve_command.h"
#include "token_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Relayer: a self-hosted server for the Layer chat protocol"};
  app.require_subcommand(1);
  relayer::apps::ServeOptions serve;
  relayer::apps::AddServeCommand(app, serve);
  relayer::apps::TokenOptions token;
  relayer::apps::AddTokenCommand(app, token);
  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("serve")) return relayer::apps::RunServe(serve);
  if (app.got_subcommand("token")) return relayer::apps::RunToken(token);
  return 2;
}
