// The one `relayer` binary: subcommands serve, token and bench (see README and docs/).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <string_view>

#include "bench/cli.h"
#include "serve_command.h"
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
  app.add_subcommand("bench", "Load generators and benchmark scenarios (relayer bench --help)");
  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("serve")) return relayer::apps::RunServe(serve);
  if (app.got_subcommand("token")) return relayer::apps::RunToken(token);
  return 2;
}
