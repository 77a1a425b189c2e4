// `relayer bench SCENARIO ...`: load generators for a running server (see bench/README.md).
#include "cli.h"

#include <CLI/CLI.hpp>
#include <csignal>

#include "scenarios.h"

namespace {

void AddCommon(CLI::App* cmd, relayer::bench::CommonOptions& o) {
  cmd->add_option("--url", o.url, "Server base URL, http://127.0.0.x:PORT")->capture_default_str();
  cmd->add_option("--data", o.data_dir, "The server's --data folder (for dev/app.json)")
      ->required();
  cmd->add_option("--user-prefix", o.user_prefix, "Prepended to every user id");
  cmd->add_option("--source-addresses", o.source_addresses,
                  "Bind client sockets round robin to 127.0.0.2..; 0 = one per 10,000 sockets")
      ->capture_default_str();
  cmd->add_option("--server-pid", o.server_pid, "The server's pid, for its CPU use and VmRSS");
  cmd->add_option("--login-concurrency", o.login_concurrency, "Parallel REST logins")
      ->capture_default_str();
}

}  // namespace

namespace relayer::bench {

int Main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"relayer bench: load generators for relayer (loopback only)"};
  app.require_subcommand(1);

  relayer::bench::HttpSendOptions http_send;
  auto* hs =
      app.add_subcommand("http-send", "Closed-loop REST message sends over kept-alive connections");
  AddCommon(hs, http_send.common);
  hs->add_option("--connections", http_send.connections, "Connections, one sending user each")
      ->capture_default_str();
  hs->add_option("--seconds", http_send.seconds, "Measured seconds")->capture_default_str();
  hs->add_option("--warmup", http_send.warmup, "Unmeasured seconds first")->capture_default_str();
  hs->add_option("--body-bytes", http_send.body_bytes, "Bytes of the two parts together")
      ->capture_default_str();

  relayer::bench::WsLatencyOptions ws_latency;
  auto* wl =
      app.add_subcommand("ws-latency", "Open-loop WebSocket Message.create → recipient latency");
  AddCommon(wl, ws_latency.common);
  wl->add_option("--pairs", ws_latency.pairs, "Sender/recipient pairs")->capture_default_str();
  wl->add_option("--rate", ws_latency.rate, "Messages per second, all pairs together")
      ->capture_default_str();
  wl->add_option("--seconds", ws_latency.seconds, "Measured seconds")->capture_default_str();
  wl->add_option("--warmup", ws_latency.warmup, "Unmeasured seconds first")->capture_default_str();
  wl->add_option("--drain", ws_latency.drain, "Seconds to wait for late deliveries")
      ->capture_default_str();
  wl->add_option("--body-bytes", ws_latency.body_bytes, "Bytes of the message's part")
      ->capture_default_str();

  relayer::bench::WsIdleOptions ws_idle;
  auto* wi = app.add_subcommand(
      "ws-idle", "Hold many idle authenticated WebSockets; server RSS per connection");
  AddCommon(wi, ws_idle.common);
  wi->add_option("--connections", ws_idle.connections, "Connections, one user each")
      ->capture_default_str();
  wi->add_option("--hold", ws_idle.hold, "Seconds to hold them idle")->capture_default_str();
  wi->add_option("--connect-concurrency", ws_idle.connect_concurrency, "Handshakes in flight")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand(hs)) return relayer::bench::RunHttpSend(http_send);
  if (app.got_subcommand(wl)) return relayer::bench::RunWsLatency(ws_latency);
  if (app.got_subcommand(wi)) return relayer::bench::RunWsIdle(ws_idle);
  return 2;
}

}  // namespace relayer::bench
