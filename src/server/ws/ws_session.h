// One WebSocket connection of the layer-2.0 subprotocol: authenticates the session token of the
// upgrade request, answers requests (Conversation.create, Message.create, Counter.read,
// Event.replay, Presence.*), relays typing signals, and writes the packets the Hub queues.
// All of its state lives on its socket's executor (one thread); Send may be called from any
// thread. A connection whose outgoing queue passes its bound is closed (the client replays).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <memory>

#include "core/representation.h"
#include "server/api/client_api.h"
#include "server/http/types.h"
#include "server/ws/hub.h"
#include "store/store.h"

namespace relayer::server {

struct WsOptions {
  size_t max_message_bytes = 1 << 20;  // one incoming packet
  size_t max_queued_bytes = 8 << 20;   // outgoing queue before the client is dropped
  size_t max_queued_packets = 20000;
  std::chrono::seconds idle_timeout{90};  // pings at half of it; the SDK reads every 30 s
  std::string public_url;
  const ContentLinks* content_links = nullptr;  // signs rich content download links; not owned
};

struct WsDeps {
  ClientApi& api;
  Store& store;
  boost::asio::thread_pool& blocking;
  Hub& hub;
  Limits limits;
  Clock clock;
  WsOptions options;
};

// Takes over an upgraded connection; returns at once.
void StartWsSession(boost::asio::ip::tcp::socket socket, Request upgrade, WsDeps& deps);

// True for the upgrade paths the Web SDK uses: "/" and "/websocket" (with or without "/").
bool IsWebSocketPath(std::string_view target);

}  // namespace relayer::server
