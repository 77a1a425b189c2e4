// An HTTP/1.x response written out as the bytes that go on the wire, and sent in one write.
//
// Beast's serializer hands the kernel each piece of a response (status line, every field, the
// body) as its own buffer, through a composed operation and the stream's timer; a REST answer is
// a few hundred bytes. Here the whole answer is one buffer, sent at once when the socket takes
// it (nearly always: answers are small) and otherwise finished asynchronously under the timeout.
// Internal to server/http.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <string>

#include "server/http/types.h"

namespace relayer::server {

// Appends `res` to `out` as HTTP/1.x text: the status line for its version, code and reason, its
// fields in their order, the blank line, the body. The caller has already decided keep-alive
// and run prepare_payload(), as Beast's own writer would need.
void AppendResponseWire(std::string& out, const Response& res);

// Writes `wire` whole to the stream's socket: as much as the socket takes now without waiting,
// the rest asynchronously with `timeout` on it. Fails with the socket's error or a timeout.
boost::asio::awaitable<boost::system::error_code> WriteWire(boost::beast::tcp_stream& stream,
                                                            const std::string& wire,
                                                            std::chrono::seconds timeout);

// Both: `res` written into `wire` (cleared first; a connection reuses it) and sent.
boost::asio::awaitable<boost::system::error_code> SendResponse(boost::beast::tcp_stream& stream,
                                                               const Response& res,
                                                               std::string& wire,
                                                               std::chrono::seconds timeout);

}  // namespace relayer::server
