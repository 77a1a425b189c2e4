// One layer-2.0 WebSocket that pipelines requests: Push() queues a packet behind the one write in
// flight, every packet received goes to on_packet, and a sender that calls WaitForRoom() before
// each Push() keeps at most `window` requests unanswered (on_packet reports each answer with
// Answered()). Used to send as fast as the server takes it. One thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "net.h"
#include "ws_client.h"

namespace relayer::bench {

class RequestSocket {
 public:
  explicit RequestSocket(boost::asio::any_io_executor ex);

  std::function<void(std::string_view text)> on_packet;

  // Opens the socket and starts reading. `target` and `token` must outlive the awaitable.
  boost::asio::awaitable<boost::system::error_code> Open(const Target* target,
                                                         boost::asio::ip::address local,
                                                         const std::string* token);
  void Push(std::string packet);  // counts one more unanswered request
  void Answered();                // one fewer
  // Resumes when fewer than `window` requests are unanswered, or the socket closed.
  boost::asio::awaitable<void> WaitForRoom(size_t window);
  void Close();

  bool open() const { return open_; }
  size_t unanswered() const { return unanswered_; }
  const std::string& close_reason() const { return close_reason_; }

 private:
  static boost::asio::awaitable<void> ReadLoop(RequestSocket* s);
  void WriteNext();
  void Closed(const std::string& why);

  WsStream ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> out_;
  boost::asio::steady_timer room_;  // cancelled whenever a request is answered
  size_t unanswered_ = 0;
  bool writing_ = false;
  bool open_ = false;
  bool reading_ = false;
  std::string close_reason_;
};

}  // namespace relayer::bench
