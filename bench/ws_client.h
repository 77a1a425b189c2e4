// Opening a layer-2.0 WebSocket the way the Web SDK does: GET /?session_token=TOKEN with
// Sec-WebSocket-Protocol: layer-2.0.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <string>

#include "net.h"

namespace relayer::bench {

using WsStream = boost::beast::websocket::stream<boost::beast::tcp_stream>;

// Connects from `local` and upgrades; fails when the server does not pick layer-2.0.
// `target` and `token` must outlive the awaitable.
boost::asio::awaitable<boost::system::error_code> OpenLayerSocket(WsStream& ws,
                                                                  const Target& target,
                                                                  boost::asio::ip::address local,
                                                                  const std::string& token);

}  // namespace relayer::bench
