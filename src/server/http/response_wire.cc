#include "server/http/response_wire.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace relayer::server {

namespace asio = boost::asio;

void AppendResponseWire(std::string& out, const Response& res) {
  const unsigned version = res.version();
  const unsigned code = res.result_int();
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
  out += ' ';
  out += std::to_string(code);
  out += ' ';
  out += res.reason();
  out += "\r\n";
  // RFC 9110 8.6: no Content-Length in a 1xx or 204 answer (prepare_payload() gives an empty
  // body a length of 0).
  const bool bodiless = code / 100 == 1 || code == 204;
  for (const auto& field : res) {
    if (bodiless && field.name() == http::field::content_length) continue;
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += "\r\n";
  out += res.body();
}

asio::awaitable<boost::system::error_code> WriteWire(boost::beast::tcp_stream& stream,
                                                     const std::string& wire,
                                                     std::chrono::seconds timeout) {
  auto& socket = stream.socket();
  boost::system::error_code ec;
  // Non-blocking, so that a client that does not read can never hold the thread here.
  if (!socket.non_blocking()) socket.non_blocking(true, ec);
  size_t sent = 0;
  while (!ec && sent < wire.size()) {
    sent += socket.write_some(asio::buffer(wire.data() + sent, wire.size() - sent), ec);
  }
  if (sent == wire.size()) co_return boost::system::error_code{};
  if (ec != asio::error::would_block && ec != asio::error::try_again) co_return ec;
  ec = {};
  stream.expires_after(timeout);
  co_await asio::async_write(stream, asio::buffer(wire.data() + sent, wire.size() - sent),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

asio::awaitable<boost::system::error_code> SendResponse(boost::beast::tcp_stream& stream,
                                                        const Response& res, std::string& wire,
                                                        std::chrono::seconds timeout) {
  wire.clear();
  AppendResponseWire(wire, res);
  auto written = WriteWire(stream, wire, timeout);
  co_return co_await std::move(written);
}

}  // namespace relayer::server
