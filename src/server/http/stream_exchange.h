// One HTTP request whose header has been read while its body is still on the connection, for the
// routes that must never hold a whole body in memory (rich content uploads and downloads). The
// route pulls the body in pieces and writes its answer, small or streamed. An exchange belongs to
// one coroutine on its connection's executor; it is not thread-safe and lives for one request.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <functional>

#include "core/status.h"
#include "server/http/types.h"

namespace relayer::server {

class StreamExchange {
 public:
  using Header = http::request_header<>;
  using ResponseHeader = http::response_header<>;
  // Fills `buf` with at most `size` answer bytes; 0 once the body is complete.
  using Source = std::function<boost::asio::awaitable<Result<size_t>>(char* buf, size_t size)>;

  virtual ~StreamExchange() = default;

  virtual const Header& header() const = 0;
  // Reads the next piece of the request body into `buf` (at most `size` bytes); 0 once the body
  // is complete. An error (connection lost, malformed chunking, idle timeout) ends the exchange:
  // the connection is closed after the answer.
  virtual boost::asio::awaitable<Result<size_t>> ReadBody(char* buf, size_t size) = 0;
  virtual bool body_complete() const = 0;

  // Writes a whole answer. The connection is kept alive only if the request asked for it and its
  // body was read completely (an answer before the end of an upload closes the connection).
  virtual boost::asio::awaitable<Status> Respond(Response res) = 0;
  // Writes `header` (the caller sets Content-Length) and then the bytes `source` yields, piece by
  // piece. A null `source` writes the header only (HEAD).
  virtual boost::asio::awaitable<Status> RespondStreamed(ResponseHeader header, Source source) = 0;
};

// Routes whose bodies stream (see HttpServer::SetStreamRoute). `wants` sees the header only.
struct StreamRoute {
  std::function<bool(const StreamExchange::Header&)> wants;
  std::function<boost::asio::awaitable<void>(StreamExchange&)> serve;
};

}  // namespace relayer::server
