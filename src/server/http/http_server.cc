#include "server/http/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "server/http/response_wire.h"
#include "server/http/stream_exchange_impl.h"

namespace relayer::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  IoPool& pool;
  HttpServerOptions options;
  Handler handler;
  UpgradeHandler upgrade;
  ErrorResponder error_responder;
  StreamRoute stream_route;
  tcp::acceptor acceptor;

  Impl(IoPool& p, HttpServerOptions o, Handler h, UpgradeHandler u, ErrorResponder e)
      : pool(p),
        options(std::move(o)),
        handler(std::move(h)),
        upgrade(std::move(u)),
        error_responder(std::move(e)),
        acceptor(p.At(0)) {}

  asio::awaitable<void> Accept() {
    auto self = shared_from_this();
    for (;;) {
      auto& ctx = pool.Next();
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(ctx, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        // EMFILE and friends: back off briefly rather than spin.
        spdlog::warn("accept failed: {}", ec.message());
        asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto ex = socket.get_executor();
      asio::co_spawn(ex, Serve(std::move(socket)), asio::detached);
    }
  }

  Status BodyTooLarge() const {
    return Status(
        ErrorCode::kRequestEntityTooLarge,
        "Request body exceeds the limit of " + std::to_string(options.max_body_bytes) + " bytes");
  }

  asio::awaitable<void> WriteError(beast::tcp_stream& stream, const Status& status) {
    Response res = error_responder(status);
    res.keep_alive(false);
    res.prepare_payload();
    std::string wire;
    auto sent = SendResponse(stream, res, wire, options.idle_timeout);
    boost::system::error_code ec = co_await std::move(sent);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    auto self = shared_from_this();
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer(8192);
    std::string wire;  // each answer's bytes, reused by the next
    for (;;) {
      // The header first: it decides whether the body is read whole or streamed to a route.
      http::request_parser<http::empty_body> head;
      head.header_limit(static_cast<uint32_t>(options.max_header_bytes));
      head.body_limit(boost::none);
      stream.expires_after(options.idle_timeout);
      boost::system::error_code ec;
      co_await http::async_read_header(stream, buffer, head,
                                       asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == beast::error::timeout || ec == asio::error::connection_reset) {
        break;
      }
      if (ec == http::error::header_limit) {
        Status too_large(ErrorCode::kInvalidRequest, "Request headers too large");
        co_await WriteError(stream, too_large);
        break;
      }
      if (ec) {
        Status malformed(ErrorCode::kInvalidRequest, "Malformed HTTP request: " + ec.message());
        co_await WriteError(stream, malformed);
        break;
      }
      if (stream_route.wants && stream_route.wants(head.get().base())) {
        StreamExchangeImpl::Parser body_parser(std::move(head));
        StreamExchangeImpl exchange(stream, buffer, body_parser, options.idle_timeout);
        try {
          auto served = stream_route.serve(exchange);
          co_await std::move(served);
        } catch (const std::exception& e) {
          spdlog::error("stream route threw: {}", e.what());
        }
        if (!exchange.reusable()) break;
        continue;
      }
      if (auto length = head.content_length(); length && *length > options.max_body_bytes) {
        Status too_large = BodyTooLarge();
        co_await WriteError(stream, too_large);
        break;
      }
      http::request_parser<http::string_body> parser(std::move(head));
      parser.body_limit(options.max_body_bytes);
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == beast::error::timeout || ec == asio::error::connection_reset) {
        break;
      }
      if (ec == http::error::body_limit) {
        Status too_large = BodyTooLarge();
        co_await WriteError(stream, too_large);
        break;
      }
      if (ec) {
        Status malformed(ErrorCode::kInvalidRequest, "Malformed HTTP request: " + ec.message());
        co_await WriteError(stream, malformed);
        break;
      }
      Request req = parser.release();
      if (beast::websocket::is_upgrade(req)) {
        if (upgrade) {
          stream.expires_never();
          upgrade(stream.release_socket(), std::move(req));
          co_return;
        }
        Status no_ws(ErrorCode::kInvalidEndpoint, "No WebSocket here");
        co_await WriteError(stream, no_ws);
        break;
      }
      const bool keep_alive = req.keep_alive();
      const unsigned version = req.version();
      stream.expires_never();
      Response res;
      try {
        auto handled = handler(std::move(req));
        res = co_await std::move(handled);
      } catch (const std::exception& e) {
        spdlog::error("handler threw: {}", e.what());
        res = error_responder(Internal("Internal server error"));
      }
      res.version(version);
      res.keep_alive(keep_alive);
      res.prepare_payload();
      auto sent = SendResponse(stream, res, wire, options.idle_timeout);
      ec = co_await std::move(sent);
      if (ec || !keep_alive) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }
};

HttpServer::HttpServer(IoPool& pool, HttpServerOptions options, Handler handler,
                       UpgradeHandler upgrade, ErrorResponder error_responder)
    : impl_(std::make_shared<Impl>(pool, std::move(options), std::move(handler), std::move(upgrade),
                                   std::move(error_responder))) {}

HttpServer::~HttpServer() { StopAccepting(); }

void HttpServer::SetStreamRoute(StreamRoute route) { impl_->stream_route = std::move(route); }

Result<uint16_t> HttpServer::Listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return Status(ErrorCode::kInvalidRequest, "bad listen address: " + impl_->options.host);
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(ErrorCode::kServiceUnavailable, "cannot listen on " + impl_->options.host + ":" +
                                                      std::to_string(impl_->options.port) + ": " +
                                                      ec.message());
  }
  uint16_t port = acceptor.local_endpoint().port();
  asio::co_spawn(acceptor.get_executor(), impl_->Accept(), asio::detached);
  return port;
}

void HttpServer::StopAccepting() {
  auto impl = impl_;
  asio::post(impl->acceptor.get_executor(), [impl] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
  });
}

}  // namespace relayer::server
