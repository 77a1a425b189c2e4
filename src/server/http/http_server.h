// The HTTP/1.1 listener: accepts connections on an IoPool, reads requests with bounded headers and
// body, hands each to a Handler, writes the answer, keeps connections alive. WebSocket upgrade
// requests go to the UpgradeHandler with the socket. A request that cannot be parsed or is too big
// gets a Layer error object and the connection is closed; the server keeps serving.
// The header of each request is read first: requests a StreamRoute wants (content uploads and
// downloads) get their body as a stream, without max_body_bytes; all others are read whole.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "server/http/io_pool.h"
#include "server/http/stream_exchange.h"
#include "server/http/types.h"

namespace relayer::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7070;  // 0: any free port
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{120};
};

class HttpServer {
 public:
  // Must answer every request (never throws; an exception becomes a 500).
  using Handler = std::function<boost::asio::awaitable<Response>(Request)>;
  // Takes over the socket of a WebSocket upgrade request. Null: upgrades get 404.
  using UpgradeHandler = std::function<void(boost::asio::ip::tcp::socket, Request)>;
  // Builds the error answer for parse failures (status + Layer error object).
  using ErrorResponder = std::function<Response(const Status&)>;

  HttpServer(IoPool& pool, HttpServerOptions options, Handler handler, UpgradeHandler upgrade,
             ErrorResponder error_responder);
  ~HttpServer();

  // Routes whose bodies stream instead of being read whole. Call before Listen().
  void SetStreamRoute(StreamRoute route);

  // Binds and starts accepting. Returns the bound port.
  Result<uint16_t> Listen();
  // Stops accepting (open connections end with the IoPool).
  void StopAccepting();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace relayer::server
