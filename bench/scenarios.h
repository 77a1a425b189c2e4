// The three scenarios of relayer-bench; each returns the process exit code (0 when it ran, even
// if the server misbehaved: that is in the report).
#pragma once

#include <string>
#include <vector>

namespace relayer::bench {

struct CommonOptions {
  std::string url = "http://127.0.0.1:7300";
  std::string data_dir;
  std::string user_prefix;     // prepended to every user id
  int source_addresses = 0;    // 127.0.0.2.. ; 0 = one per 10,000 sockets
  int login_concurrency = 16;  // kept-alive connections used to log users in
  long server_pid = 0;         // for its CPU use and VmRSS; 0 = not measured
  int pin_bench = -1;          // core for the bench itself; -1 = not pinned
  int pin_server = -1;         // core for every thread of server_pid; -1 = not pinned
};

struct HttpSendOptions {
  CommonOptions common;
  int connections = 16;
  double seconds = 10;
  double warmup = 1;
  int body_bytes = 200;  // both parts together
};

struct WsIdleOptions {
  CommonOptions common;
  int connections = 10000;
  double hold = 10;  // seconds the connections stay idle before they are counted
  int connect_concurrency = 200;
};

// S3, density and catch-up: idle sockets held, dropped, and reconnected to replay what they missed.
struct S3Options {
  CommonOptions common;
  int connections = 18000;     // idle users, one socket each
  int messages_each = 10;      // sent to each idle user while it is away
  double hold = 10;            // seconds the sockets stay idle before RSS is read
  int senders = 16;            // sending users, one pipelined WebSocket each
  int send_inflight = 64;      // unanswered Message.create per sender
  double replay_timeout = 60;  // seconds after the reconnect began
  int connect_concurrency = 200;
};

// History: one conversation of --messages messages; latency of a page from its middle.
struct HistoryOptions {
  CommonOptions common;
  long messages = 1000000;
  int pages = 2000;  // measured pages per connection count
  int warmup_pages = 100;
  int page_size = 100;
  int seed_inflight = 256;  // unanswered Message.create while seeding, all sockets together
  int seed_sockets = 2;
  std::vector<int> connections{1, 4};  // one closed-loop run per entry
  bool reuse = false;  // skip seeding: the conversation a previous run left in --data
};

// S1 (one-to-one with receipts) and S2 (group fan-out) share one driver: open-loop sends at each
// rate of a rising staircase until a step fails (p99 send→push over the limit, or anything lost).
struct ChatLoadOptions {
  CommonOptions common;
  std::string scenario = "s1";     // names the users and the report
  std::string protocol = "layer";  // layer (Relayer), relay (bench/relay), xmpp (ejabberd)
  std::string xmpp_domain = "localhost";
  std::string xmpp_password = "password";
  int conversations = 1000;
  int group_size = 2;
  bool receipts = true;    // each recipient posts a delivery then a read receipt
  bool stall_one = false;  // the last member of each conversation stops reading
  std::vector<double> rates{1000, 2000, 5000, 10000, 20000, 50000};
  double step_seconds = 10;
  double warmup = 1;  // first seconds of each step are sent but not measured
  double drain = 5;   // seconds to wait for late acks, deliveries and receipts
  double p99_limit_ms = 50;
  int body_bytes = 200;     // both parts together
  bool keep_going = false;  // run every rate even after one failed
  // The scheduler's timer wakes at most once per this many microseconds; messages due in between
  // go out from the next transport callback or at the next wake-up (see Driver::Schedule).
  double wake_gap_us = 200;
  // More nodes of the same service (Relayer on a shared store, issue 7): user i of the setup
  // (sender_0, recipient_0, sender_1, ...) uses node i mod N, --url being node 0, for its
  // WebSocket and its receipts; logins and conversations go to --url. Their pids are added to
  // --server-pid's for CPU and RSS.
  std::vector<std::string> node_urls;
  std::vector<long> node_pids;
};

int RunChatLoad(const ChatLoadOptions& o);
int RunHttpSend(const HttpSendOptions& o);
int RunWsIdle(const WsIdleOptions& o);
int RunS3(const S3Options& o);
int RunHistory(const HistoryOptions& o);

}  // namespace relayer::bench
