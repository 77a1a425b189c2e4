// The three scenarios of relayer-bench; each returns the process exit code (0 when it ran, even
// if the server misbehaved: that is in the report).
#pragma once

#include <string>

namespace relayer::bench {

struct CommonOptions {
  std::string url = "http://127.0.0.1:7300";
  std::string data_dir;
  std::string user_prefix;     // prepended to every user id
  int source_addresses = 0;    // 127.0.0.2.. ; 0 = one per 10,000 sockets
  int login_concurrency = 16;  // kept-alive connections used to log users in
  long server_pid = 0;         // for its CPU use and VmRSS; 0 = not measured
};

struct HttpSendOptions {
  CommonOptions common;
  int connections = 16;
  double seconds = 10;
  double warmup = 1;
  int body_bytes = 200;  // both parts together
};

struct WsLatencyOptions {
  CommonOptions common;
  int pairs = 100;
  double rate = 1000;  // messages per second, all pairs together
  double seconds = 10;
  double warmup = 1;  // messages scheduled in the first seconds are sent but not measured
  double drain = 5;   // how long to wait for late deliveries after the last send
  int body_bytes = 150;
};

struct WsIdleOptions {
  CommonOptions common;
  int connections = 10000;
  double hold = 10;  // seconds the connections stay idle before they are counted
  int connect_concurrency = 200;
};

int RunHttpSend(const HttpSendOptions& o);
int RunWsLatency(const WsLatencyOptions& o);
int RunWsIdle(const WsIdleOptions& o);

}  // namespace relayer::bench
