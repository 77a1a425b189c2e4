#include "request_socket.h"

#include <boost/beast/websocket.hpp>

#include "async_util.h"

namespace relayer::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;

RequestSocket::RequestSocket(asio::any_io_executor ex) : ws_(ex), room_(ex) {}

asio::awaitable<boost::system::error_code> RequestSocket::Open(const Target* target,
                                                               asio::ip::address local,
                                                               const std::string* token) {
  auto aw = OpenLayerSocket(ws_, *target, local, *token);
  boost::system::error_code ec = co_await std::move(aw);
  if (ec) co_return ec;
  open_ = true;
  reading_ = true;
  auto read = ReadLoop(this);
  asio::co_spawn(ws_.get_executor(), std::move(read), asio::detached);
  co_return ec;
}

asio::awaitable<void> RequestSocket::ReadLoop(RequestSocket* s) {
  boost::system::error_code ec;
  for (;;) {
    auto aw = s->ws_.async_read(s->buffer_, asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(aw);
    if (ec) break;
    if (s->on_packet) {
      const auto data = s->buffer_.cdata();
      s->on_packet(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    s->buffer_.consume(s->buffer_.size());
  }
  s->reading_ = false;
  s->Closed(ec == beast::websocket::error::closed ? "closed by server" : "read: " + ec.message());
}

void RequestSocket::Closed(const std::string& why) {
  if (!open_) return;
  open_ = false;
  close_reason_ = why;
  room_.cancel();  // a waiting sender must not wait for answers that will not come
}

void RequestSocket::Push(std::string packet) {
  unanswered_++;
  out_.push_back(std::move(packet));
  if (!writing_) WriteNext();
}

void RequestSocket::Answered() {
  if (unanswered_ > 0) unanswered_--;
  room_.cancel();
}

void RequestSocket::WriteNext() {
  if (out_.empty() || !open_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  ws_.async_write(asio::buffer(out_.front()), [this](boost::system::error_code ec, size_t) {
    out_.pop_front();
    if (ec) {
      writing_ = false;
      Closed("write: " + ec.message());
      return;
    }
    WriteNext();
  });
}

asio::awaitable<void> RequestSocket::WaitForRoom(size_t window) {
  while (open_ && unanswered_ >= window) {
    room_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    auto aw = room_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(aw);
  }
}

void RequestSocket::Close() {
  Closed("closed by the bench");
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

}  // namespace relayer::bench
