#include "ws_client.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket.hpp>

namespace relayer::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

asio::awaitable<boost::system::error_code> OpenLayerSocket(WsStream& ws, const Target& target,
                                                           asio::ip::address local,
                                                           const std::string& token) {
  auto& lowest = beast::get_lowest_layer(ws);
  lowest.expires_after(std::chrono::seconds(30));
  auto connect_aw = Connect(lowest.socket(), target.endpoint, local);
  boost::system::error_code ec = co_await std::move(connect_aw);
  if (ec) co_return ec;
  lowest.expires_never();  // the websocket stream keeps its own timeouts
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(http::field::sec_websocket_protocol, "layer-2.0");
  }));
  websocket::response_type res;
  const std::string path = "/?session_token=" + token;
  auto handshake_aw =
      ws.async_handshake(res, target.host, path, asio::redirect_error(asio::use_awaitable, ec));
  co_await std::move(handshake_aw);
  if (ec) co_return ec;
  if (res[http::field::sec_websocket_protocol] != "layer-2.0") {
    co_return make_error_code(boost::system::errc::protocol_not_supported);
  }
  ws.text(true);
  co_return ec;
}

}  // namespace relayer::bench
