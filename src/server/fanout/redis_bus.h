// RedisBus: Redis pub/sub for the fan-out between Relayer nodes (issue 7, docs/scaling.md).
//
// A node publishes committed changes on a channel per recipient user and subscribes to the
// channels of the users connected to it. Redis delivers at most once and keeps nothing, so the
// bus reports every gap instead of hiding it: after a lost subscriber connection comes back and
// every channel is subscribed again, on_resubscribed names those channels, and the caller reads
// what it missed from the store's per-user change log (user_changes.user_seq).
//
// I/O: two TCP connections per bus (RESP2 allows no PUBLISH on a subscribed connection), both
// Asio sockets on a strand of the executor given to the constructor. hiredis only formats
// commands and parses replies, so nothing blocks the executor's threads. Each connection
// reconnects by itself with exponential backoff.
//
// Threading: every public method may be called from any thread; it posts to the bus's strand.
// All callbacks run on that strand, one at a time. Stop() (also run by the destructor) makes sure
// no callback starts after the strand has run it; a callback already running finishes. Callers
// that free what their callbacks capture must therefore stop the bus first and let the executor
// run (or stop the executor) before freeing it.
//
// Payloads and channel names are binary-safe (NUL bytes included).
//
// The server uses it through NodeFanout (node_fanout.h) when --redis is set (docs/scaling.md).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace relayer::fanout {

struct RedisBusOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds min_backoff{50};    // first wait after a failed connect
  std::chrono::milliseconds max_backoff{2000};  // the doubling stops here
  // TCP keepalive period (Linux: idle time and probe interval, 3 probes, and the same bound on
  // unacknowledged writes): a Redis that vanished without closing the connection is given up,
  // and reconnected to, after about four of these.
  std::chrono::seconds keepalive{10};
  // Names the connections NAME-pub and NAME-sub (CLIENT SETNAME) so operators and tests can find
  // them in CLIENT LIST; letters, digits and -_. only (Redis refuses spaces). Empty: no name.
  std::string client_name;
  // Publishes not yet answered by Redis (unsent while disconnected, or sent); past this Publish
  // fails at once with kServiceUnavailable instead of buffering without bound while Redis is
  // slow or away.
  size_t max_pending_publishes = 10000;

  // "host:port" (IPv6 as "[::1]:6379"); kInvalidRequest when it does not parse.
  static Result<RedisBusOptions> FromAddress(std::string_view address);
};

struct RedisBusHandlers {
  // A message on a channel this bus is subscribed to (Unsubscribe stops delivery at once, even
  // for messages Redis had already sent). Per channel, messages arrive in publish order.
  std::function<void(std::string_view channel, std::string_view payload)> on_message;
  // The subscriber connection was lost and is back: every channel listed is subscribed again.
  // Messages published on them between the loss and now were dropped by Redis; fill the gap
  // from the store. Not called for the first connection.
  std::function<void(const std::vector<std::string>& channels)> on_resubscribed;
};

class RedisBus {
 public:
  RedisBus(boost::asio::any_io_executor executor, RedisBusOptions options,
           RedisBusHandlers handlers);
  ~RedisBus();  // Stop()
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  // Publishes payload on channel; it reaches Redis at least once: while the publisher connection
  // is down the publish waits for it, and one sent but not answered when the connection was lost
  // is sent again (receivers drop repeats by their per-user sequence). Per bus, publishes reach
  // Redis in call order, repeats included. Redis itself delivers only to connections subscribed
  // at that moment; a subscriber's gaps are what on_resubscribed reports. done (optional, on the
  // strand) gets the number of subscribed connections Redis delivered to, once Redis answers;
  // kServiceUnavailable at once when max_pending_publishes are already waiting.
  void Publish(std::string channel, std::string payload,
               std::function<void(Result<std::int64_t>)> done = {});

  // Adds channel to the subscriptions, kept across reconnects. done (optional) runs once Redis
  // has confirmed the subscription: from then on every publish on it reaches on_message. While
  // disconnected, done waits for the reconnect.
  void Subscribe(std::string channel, std::function<void()> done = {});
  // Removes channel; no message on it reaches on_message after this call has run on the strand.
  // Subscribe callbacks still waiting for that channel are dropped, not called.
  void Unsubscribe(std::string channel);

  // Closes both connections for good. No callback runs after this has run on the strand;
  // pending Publish and Subscribe callbacks are dropped, not called.
  void Stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace relayer::fanout
