// The layer-2.0 WebSocket of one session: opens <server>/websocket/?session_token=..., reads
// packets until it closes, and writes request/signal packets in order (with Layer's per-
// connection counter). Lives on the SDK thread; not thread-safe.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace relayer::sdk::net {

struct SocketEnd {
  boost::system::error_code ec;
  int close_code = 0;  // 4001: the session is no longer valid
  std::string reason;
};

class Socket : public std::enable_shared_from_this<Socket> {
 public:
  explicit Socket(boost::asio::any_io_executor ex);
  boost::asio::awaitable<boost::system::error_code> Open(const std::string& server_url,
                                                         const std::string& session_token);
  // Hands every packet (a JSON object) to `on_packet` until the socket ends.
  boost::asio::awaitable<SocketEnd> ReadLoop(
      std::function<void(const boost::json::object&)> on_packet);
  // {"type": type, "counter": n, "timestamp": now, "body": body}, written in order.
  void Send(const std::string& type, boost::json::object body);
  void Close();
  bool open() const { return open_; }

 private:
  boost::asio::awaitable<void> WriteLoop();
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  std::deque<std::string> out_;
  bool writing_ = false;
  bool open_ = false;
  uint64_t counter_ = 0;
};

}  // namespace relayer::sdk::net
