// The idle half of ws-idle and s3: open every socket of a pool, hold them idle, and read what
// they cost the server (and the bench) in resident memory.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstddef>

#include "socket_pool.h"

namespace relayer::bench {

struct IdleHold {
  // VmRSS in kB (-1 when unknown) before the opens, once connected, after the hold.
  long server_before_kb = -1, server_connected_kb = -1, server_after_kb = -1;
  long bench_before_kb = -1, bench_after_kb = -1;
  size_t connected = 0, failed = 0, held = 0, closed_during_hold = 0;
  double connect_seconds = 0;

  double ServerBytesPerConnection() const;
  double BenchBytesPerConnection() const;
  // connected, connect_ms, failed, held, closed_during_hold, server_rss_*_kb, *_per_connection.
  void AddTo(boost::json::object& out) const;
};

// Opens every socket of `pool` (`concurrency` handshakes in flight, progress lines labelled
// `label`), holds them idle for `hold_seconds`, and fills `out`.
boost::asio::awaitable<void> OpenAndHoldIdle(SocketPool* pool, size_t concurrency,
                                             const char* label, long server_pid,
                                             double hold_seconds, IdleHold* out);

}  // namespace relayer::bench
