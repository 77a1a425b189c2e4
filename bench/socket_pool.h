// Many authenticated layer-2.0 WebSockets, one per session token, opened with a bounded number of
// handshakes in flight and read until they close: the crowd ws-idle and s3 hold. It can close
// them all and open them again (s3's reconnect). Everything runs on the owner's one thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "async_util.h"
#include "net.h"
#include "ws_client.h"

namespace relayer::bench {

class SocketPool {
 public:
  // Socket i logs in with (*tokens)[i], i < n; an empty token counts as a failed open. `target`
  // and `tokens` must outlive the pool; each socket takes its source address from `sources` now.
  SocketPool(boost::asio::any_io_executor ex, const Target* target,
             const std::vector<std::string>* tokens, size_t n, SourceAddresses* sources);

  // Sent on socket i right after its handshake, before anything is read ("" sends nothing).
  std::function<std::string(size_t i)> first_packet;
  // Every packet socket i receives (a text frame).
  std::function<void(size_t i, std::string_view text)> on_packet;

  // Opens every socket (again, after CloseAll) with `concurrency` handshakes in flight; prints a
  // progress line labelled `label` each second, with the VmRSS of `server_pid` when > 0.
  boost::asio::awaitable<void> OpenAll(size_t concurrency, const char* label, long server_pid);
  // Closes every socket without counting it as closed by the server, and stops an OpenAll in
  // progress; resumes once every read loop (and that OpenAll) has ended, so the sockets can be
  // opened again.
  boost::asio::awaitable<void> CloseAll();

  size_t size() const { return sockets_.size(); }
  // When socket i's last open began (its TCP connect).
  Clock::time_point started(size_t i) const { return sockets_[i]->started; }

  // Counters of the last OpenAll (closed and packets: since it began).
  size_t attempted = 0, connected = 0, failed = 0, open = 0, closed = 0;
  uint64_t packets = 0;
  std::map<std::string, uint64_t> fail_kinds, close_kinds;
  double open_seconds = 0;

 private:
  struct Socket {
    std::optional<WsStream> ws;  // a new stream per open: a closed one cannot be reused
    boost::beast::flat_buffer buffer;
    boost::asio::ip::address local;
    Clock::time_point started;
    bool open = false;
  };
  static boost::asio::awaitable<void> OpenOne(SocketPool* pool, size_t worker, size_t i);
  static boost::asio::awaitable<void> ReadLoop(SocketPool* pool, size_t i);
  static boost::asio::awaitable<void> ReportProgress(SocketPool* pool, const char* label,
                                                     long server_pid);

  boost::asio::any_io_executor ex_;
  const Target* target_;
  const std::vector<std::string>* tokens_;
  std::vector<std::unique_ptr<Socket>> sockets_;
  size_t reading_ = 0;  // read loops still running
  bool closing_ = false;
  bool opening_ = false;
};

}  // namespace relayer::bench
