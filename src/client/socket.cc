#include "client/socket.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "client/http.h"

namespace relayer::sdk::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

namespace {
std::string NowIso() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = ms / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}
}  // namespace

Socket::Socket(asio::any_io_executor ex) : ws_(std::move(ex)) {}

asio::awaitable<boost::system::error_code> Socket::Open(const std::string& server_url,
                                                        const std::string& token) {
  boost::system::error_code ec;
  std::string host, port, target;
  if (!SplitUrl(server_url, host, port, target))
    co_return make_error_code(boost::system::errc::invalid_argument);
  asio::ip::tcp::resolver resolver(ws_.get_executor());
  auto resolve_aw =
      resolver.async_resolve(host, port, asio::redirect_error(asio::use_awaitable, ec));
  auto endpoints = co_await std::move(resolve_aw);
  if (ec) co_return ec;
  auto& lowest = beast::get_lowest_layer(ws_);
  lowest.expires_after(std::chrono::seconds(15));
  auto connect_aw = lowest.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  co_await std::move(connect_aw);
  if (ec) co_return ec;
  lowest.expires_never();  // the websocket stream has its own timeouts (pings, idle)
  // Pings after 30 s of silence and gives up after 60 s: a vanished server (no FIN) is noticed
  // and the SDK reconnects instead of waiting forever.
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
  timeouts.idle_timeout = std::chrono::seconds(60);
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(beast::http::field::sec_websocket_protocol, "layer-2.0");
  }));
  std::string path = "/websocket/?session_token=" + token;
  std::string host_port = host + ":" + port;
  auto hs_aw = ws_.async_handshake(host_port, path, asio::redirect_error(asio::use_awaitable, ec));
  co_await std::move(hs_aw);
  if (ec) co_return ec;
  ws_.text(true);
  ws_.read_message_max(64 * 1024 * 1024);
  open_ = true;
  co_return ec;
}

asio::awaitable<SocketEnd> Socket::ReadLoop(std::function<void(const json::object&)> on_packet) {
  SocketEnd end;
  beast::flat_buffer buffer;
  for (;;) {
    auto read_aw = ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, end.ec));
    co_await std::move(read_aw);
    if (end.ec) break;
    boost::system::error_code pec;
    auto v = json::parse(beast::buffers_to_string(buffer.data()), pec);
    buffer.consume(buffer.size());
    if (!pec && v.is_object()) on_packet(v.as_object());
  }
  open_ = false;
  end.close_code = ws_.reason().code;
  end.reason = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
  co_return end;
}

void Socket::Send(const std::string& type, json::object body) {
  if (!open_) return;
  json::object packet{
      {"type", type}, {"counter", counter_++}, {"timestamp", NowIso()}, {"body", std::move(body)}};
  out_.push_back(json::serialize(packet));
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(
        ws_.get_executor(), [self = shared_from_this()] { return self->WriteLoop(); },
        asio::detached);
  }
}

asio::awaitable<void> Socket::WriteLoop() {
  while (!out_.empty() && open_) {
    std::string text = std::move(out_.front());
    out_.pop_front();
    boost::system::error_code ec;
    auto write_aw =
        ws_.async_write(asio::buffer(text), asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(write_aw);
    if (ec) break;
  }
  out_.clear();
  writing_ = false;
}

void Socket::Close() {
  if (!open_) {
    beast::get_lowest_layer(ws_).close();
    return;
  }
  open_ = false;
  // Closing the TCP stream ends the pending read at once (no close handshake to wait for).
  beast::get_lowest_layer(ws_).close();
}

}  // namespace relayer::sdk::net
