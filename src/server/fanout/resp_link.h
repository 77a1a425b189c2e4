// One TCP connection to Redis that speaks RESP and reconnects on its own. Internal to RedisBus.
//
// hiredis is used only to format commands and parse replies (redisReader); the socket is an Asio
// socket on the caller's strand, so no network thread ever blocks on Redis.
//
// Threading: every method, and every hook, runs on the strand given to the constructor. Callers
// post to that strand; RespLink does not lock. Owned through a shared_ptr because its coroutine
// and pending completions keep it alive until they finish after Stop().
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct redisReply;

namespace relayer::fanout {

struct RespLinkOptions {
  std::string host;
  std::uint16_t port = 6379;
  std::chrono::milliseconds connect_timeout{2000};
  // Waits between failed attempts double from min_backoff up to max_backoff.
  std::chrono::milliseconds min_backoff{50};
  std::chrono::milliseconds max_backoff{2000};
  // TCP keepalive period; a silent peer is given up after about four of them.
  std::chrono::seconds keepalive{10};
  // Sent as CLIENT SETNAME on every connection when not empty (shows in CLIENT LIST).
  std::string client_name;
};

class RespLink : public std::enable_shared_from_this<RespLink> {
 public:
  using Strand = boost::asio::strand<boost::asio::any_io_executor>;
  struct Hooks {
    std::function<void()> on_connected;                     // a fresh connection is usable
    std::function<void(const redisReply& reply)> on_reply;  // one parsed top-level reply
    std::function<void(const Status& why)> on_lost;         // an established connection ended
  };

  RespLink(Strand strand, RespLinkOptions options, Hooks hooks);
  ~RespLink();

  // Starts connecting; retries with backoff until Stop().
  void Start();
  // Closes the socket and ends the retry loop. No hook runs afterwards.
  void Stop();
  bool connected() const { return connected_; }
  // Queues an already formatted command on the current connection. False when not connected:
  // nothing is queued across a reconnect, the caller decides what to resend.
  bool Send(std::string bytes);

  // RESP encoding of one command; binary-safe (lengths, not NUL-terminated strings).
  static std::string Format(const std::vector<std::string_view>& args);

 private:
  boost::asio::awaitable<void> Run();
  boost::asio::awaitable<Status> ConnectOnce();
  boost::asio::awaitable<Status> ReadUntilError();
  void Flush();
  void Close();

  Strand strand_;
  RespLinkOptions options_;
  Hooks hooks_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  bool connected_ = false;
  std::uint64_t generation_ = 0;  // bumped per connection so stale write completions are ignored
  std::string out_;               // bytes waiting for the write in flight to finish
  std::string inflight_;
  bool writing_ = false;
  int skip_replies_ = 0;  // answers to our own CLIENT SETNAME, not the owner's business
};

}  // namespace relayer::fanout
