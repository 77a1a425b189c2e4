// The StreamExchange of HttpServer: a request parser with a buffer_body, so that body bytes go
// straight from the socket buffer into the route's own buffer. Internal to server/http.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>

#include "server/http/stream_exchange.h"

namespace relayer::server {

class StreamExchangeImpl final : public StreamExchange {
 public:
  using Parser = http::request_parser<http::buffer_body>;
  StreamExchangeImpl(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
                     Parser& parser, std::chrono::seconds idle_timeout)
      : stream_(stream), buffer_(buffer), parser_(parser), idle_timeout_(idle_timeout) {}

  const Header& header() const override { return parser_.get().base(); }
  boost::asio::awaitable<Result<size_t>> ReadBody(char* buf, size_t size) override;
  bool body_complete() const override { return parser_.is_done(); }
  boost::asio::awaitable<Status> Respond(Response res) override;
  boost::asio::awaitable<Status> RespondStreamed(ResponseHeader header, Source source) override;

  // Whether the connection may serve another request after this one.
  bool reusable() const { return reusable_; }

 private:
  bool KeepAlive() const { return parser_.get().keep_alive() && parser_.is_done() && !failed_; }

  boost::beast::tcp_stream& stream_;
  boost::beast::flat_buffer& buffer_;
  Parser& parser_;
  std::chrono::seconds idle_timeout_;
  bool continue_sent_ = false;
  bool failed_ = false;
  bool reusable_ = false;
};

}  // namespace relayer::server
