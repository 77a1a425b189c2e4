#include "server/http/stream_exchange_impl.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "server/http/response_wire.h"

namespace relayer::server {

namespace asio = boost::asio;
namespace beast = boost::beast;

asio::awaitable<Result<size_t>> StreamExchangeImpl::ReadBody(char* buf, size_t size) {
  if (failed_) co_return Status(ErrorCode::kInvalidRequest, "the request body failed before");
  if (parser_.is_done()) co_return size_t{0};
  boost::system::error_code ec;
  // curl and other clients wait for this before sending a large body.
  if (!continue_sent_) {
    continue_sent_ = true;
    if (beast::iequals(parser_.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> go{http::status::continue_, 11};
      stream_.expires_after(idle_timeout_);
      co_await http::async_write(stream_, go, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        failed_ = true;
        co_return Status(ErrorCode::kInvalidRequest, "connection failed: " + ec.message());
      }
    }
  }
  auto& body = parser_.get().body();
  body.data = buf;
  body.size = size;
  // A read may parse only framing (a chunk header) and yield no body byte; 0 means the end, so
  // read on until there is a byte or the body is complete.
  while (size > 0 && body.size == size && !parser_.is_done()) {
    stream_.expires_after(idle_timeout_);
    co_await http::async_read_some(stream_, buffer_, parser_,
                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      failed_ = true;
      co_return Status(ErrorCode::kInvalidRequest, "request body not received: " + ec.message());
    }
  }
  co_return size - body.size;
}

asio::awaitable<Status> StreamExchangeImpl::Respond(Response res) {
  res.version(parser_.get().version());
  res.keep_alive(KeepAlive());
  res.prepare_payload();
  std::string wire;
  auto sent = SendResponse(stream_, res, wire, idle_timeout_);
  const boost::system::error_code ec = co_await std::move(sent);
  reusable_ = !ec && res.keep_alive();
  if (ec) co_return Status(ErrorCode::kServiceUnavailable, "write failed: " + ec.message());
  co_return Status::Ok();
}

asio::awaitable<Status> StreamExchangeImpl::RespondStreamed(ResponseHeader header, Source source) {
  header.version(parser_.get().version());
  const bool keep_alive = KeepAlive();
  boost::system::error_code ec;
  stream_.expires_after(idle_timeout_);
  if (!source) {
    http::response<http::empty_body> head{std::move(header)};
    head.keep_alive(keep_alive);
    http::response_serializer<http::empty_body> sr{head};
    co_await http::async_write_header(stream_, sr, asio::redirect_error(asio::use_awaitable, ec));
    reusable_ = !ec && keep_alive;
    if (ec) co_return Status(ErrorCode::kServiceUnavailable, "write failed: " + ec.message());
    co_return Status::Ok();
  }
  http::response<http::buffer_body> res{std::move(header)};
  res.keep_alive(keep_alive);
  res.body().data = nullptr;
  res.body().more = true;
  http::response_serializer<http::buffer_body> sr{res};
  co_await http::async_write_header(stream_, sr, asio::redirect_error(asio::use_awaitable, ec));
  // One piece at a time: the memory held is one buffer, whatever the size of the answer.
  std::vector<char> piece(64 * 1024);
  while (!ec) {
    auto next = source(piece.data(), piece.size());
    Result<size_t> n = co_await std::move(next);
    if (!n.ok()) {
      // The header promised bytes that will not come: only closing tells the client.
      reusable_ = false;
      boost::system::error_code ignored;
      stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      co_return n.status();
    }
    res.body().data = *n ? piece.data() : nullptr;
    res.body().size = *n;
    res.body().more = *n > 0;
    stream_.expires_after(idle_timeout_);
    co_await http::async_write(stream_, sr, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::need_buffer) {
      ec = {};
      continue;
    }
    if (ec || sr.is_done()) break;
  }
  reusable_ = !ec && keep_alive;
  if (ec) co_return Status(ErrorCode::kServiceUnavailable, "write failed: " + ec.message());
  co_return Status::Ok();
}

}  // namespace relayer::server
