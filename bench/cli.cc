// `relayer bench SCENARIO ...`: load generators for a running server (see bench/README.md).
#include "cli.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <utility>
#include <vector>

#include "pinning.h"
#include "report.h"
#include "scenarios.h"

namespace {

// Each subcommand's common options, to pin the one that runs.
std::vector<std::pair<CLI::App*, relayer::bench::CommonOptions*>> commons;

void AddCommon(CLI::App* cmd, relayer::bench::CommonOptions& o) {
  commons.emplace_back(cmd, &o);
  cmd->add_option("--pin-bench", o.pin_bench, "Run the bench on this core only (like taskset)");
  cmd->add_option("--pin-server", o.pin_server,
                  "Move every thread of --server-pid to this core (like taskset -a -p)");
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

void AddChatLoad(CLI::App* cmd, relayer::bench::ChatLoadOptions& o) {
  AddCommon(cmd, o.common);
  cmd->get_option("--data")->required(false);  // only Relayer has a dev app to log in through
  cmd->add_option("--protocol", o.protocol,
                  "layer (Relayer), relay (bench/relay) or xmpp (ejabberd)")
      ->check(CLI::IsMember({"layer", "relay", "xmpp"}))
      ->capture_default_str();
  cmd->add_option("--xmpp-domain", o.xmpp_domain, "XMPP domain of the users")
      ->capture_default_str();
  cmd->add_option("--conversations", o.conversations, "Conversations, each with its own users")
      ->capture_default_str();
  cmd->add_option("--group-size", o.group_size, "Members per conversation (2..32)")
      ->capture_default_str();
  cmd->add_option("--rates", o.rates, "Messages per second of each step, all senders together")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--step-seconds", o.step_seconds, "Measured seconds per step")
      ->capture_default_str();
  cmd->add_option("--warmup", o.warmup, "Unmeasured seconds at the start of each step")
      ->capture_default_str();
  cmd->add_option("--drain", o.drain, "Seconds to wait for late answers after each step")
      ->capture_default_str();
  cmd->add_option("--p99-limit-ms", o.p99_limit_ms, "A step fails when p99 send→push passes it")
      ->capture_default_str();
  cmd->add_option("--body-bytes", o.body_bytes, "Bytes of the two parts together")
      ->capture_default_str();
  cmd->add_flag("!--no-receipts", o.receipts, "Recipients post no delivery/read receipts");
  cmd->add_option("--wake-gap-us", o.wake_gap_us,
                  "Fewest microseconds between the scheduler's own timer wake-ups: messages closer "
                  "together go out with the next packet handled or at the next wake-up (0: a "
                  "timer wake-up per message)")
      ->check(CLI::Range(0.0, 10000.0))
      ->capture_default_str();
  cmd->add_flag("--keep-going", o.keep_going, "Run every rate even after a step failed");
  cmd->add_option("--node-url", o.node_urls,
                  "More nodes of the same service (layer only): user i uses node i mod N")
      ->delimiter(',');
  cmd->add_option("--node-pid", o.node_pids, "Their pids, added to --server-pid for CPU and RSS")
      ->delimiter(',');
}

}  // namespace

namespace relayer::bench {

int Main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  commons.clear();
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

  relayer::bench::WsIdleOptions ws_idle;
  auto* wi = app.add_subcommand(
      "ws-idle", "Hold many idle authenticated WebSockets; server RSS per connection");
  AddCommon(wi, ws_idle.common);
  wi->add_option("--connections", ws_idle.connections, "Connections, one user each")
      ->capture_default_str();
  wi->add_option("--hold", ws_idle.hold, "Seconds to hold them idle")->capture_default_str();
  wi->add_option("--connect-concurrency", ws_idle.connect_concurrency, "Handshakes in flight")
      ->capture_default_str();

  ChatLoadOptions s1;
  auto* s1_cmd = app.add_subcommand(
      "s1",
      "One-to-one chats, all online, receipts: open-loop rate staircase until p99 or loss fails");
  AddChatLoad(s1_cmd, s1);

  ChatLoadOptions s2;
  s2.scenario = "s2";
  s2.conversations = 40;
  s2.group_size = 25;
  s2.receipts = false;
  s2.stall_one = true;
  s2.rates = {500, 1000, 2000, 5000, 10000, 20000};
  auto* s2_cmd = app.add_subcommand(
      "s2", "Group fan-out: conversations of 25, one member of each stops reading");
  AddChatLoad(s2_cmd, s2);

  S3Options s3;
  auto* s3_cmd = app.add_subcommand(
      "s3", "Idle sockets near the fd limit, RSS each; all drop, miss messages, reconnect, replay");
  AddCommon(s3_cmd, s3.common);
  s3_cmd->add_option("--connections", s3.connections, "Idle users, one socket each")
      ->capture_default_str();
  s3_cmd->add_option("--messages-each", s3.messages_each, "Messages each misses while away")
      ->capture_default_str();
  s3_cmd->add_option("--hold", s3.hold, "Seconds to hold them idle")->capture_default_str();
  s3_cmd->add_option("--senders", s3.senders, "Sending users (pipelined WebSockets)")
      ->capture_default_str();
  s3_cmd->add_option("--send-inflight", s3.send_inflight, "Unanswered sends per sender")
      ->capture_default_str();
  s3_cmd->add_option("--replay-timeout", s3.replay_timeout, "Seconds to wait for the replays")
      ->capture_default_str();
  s3_cmd->add_option("--connect-concurrency", s3.connect_concurrency, "Handshakes in flight")
      ->capture_default_str();

  HistoryOptions history;
  auto* hi_cmd = app.add_subcommand(
      "history", "A conversation of many messages; latency of a page from its middle");
  AddCommon(hi_cmd, history.common);
  hi_cmd->add_option("--messages", history.messages, "Messages to seed")->capture_default_str();
  hi_cmd->add_option("--pages", history.pages, "Measured pages per run")->capture_default_str();
  hi_cmd->add_option("--warmup-pages", history.warmup_pages, "Unmeasured pages first")
      ->capture_default_str();
  hi_cmd->add_option("--page-size", history.page_size, "page_size of each request")
      ->capture_default_str();
  hi_cmd->add_option("--seed-inflight", history.seed_inflight, "Unanswered sends while seeding")
      ->capture_default_str();
  hi_cmd->add_option("--seed-sockets", history.seed_sockets, "WebSockets that seed")
      ->capture_default_str();
  hi_cmd->add_option("--connections", history.connections, "Closed-loop runs, connections each")
      ->delimiter(',')
      ->capture_default_str();
  hi_cmd->add_flag("--reuse", history.reuse,
                   "Skip seeding: reuse the conversation an earlier run seeded in --data");

  CLI11_PARSE(app, argc, argv);
  for (const auto& [cmd, common] : commons) {
    if (!app.got_subcommand(cmd)) continue;
    if (auto e = Pin(common->pin_bench, common->server_pid, common->pin_server); !e.empty()) {
      Progress(e);
      return 2;
    }
  }
  if (app.got_subcommand(s1_cmd)) return RunChatLoad(s1);
  if (app.got_subcommand(s2_cmd)) return RunChatLoad(s2);
  if (app.got_subcommand(hs)) return relayer::bench::RunHttpSend(http_send);
  if (app.got_subcommand(wi)) return relayer::bench::RunWsIdle(ws_idle);
  if (app.got_subcommand(s3_cmd)) return RunS3(s3);
  if (app.got_subcommand(hi_cmd)) return RunHistory(history);
  return 2;
}

}  // namespace relayer::bench
