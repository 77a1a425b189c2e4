// A small asynchronous HTTP/1.1 client for outbound deliveries (webhooks, push): one request per
// connection, plain http:// only, bounded by a timeout and a response size limit. Runs on the
// awaiting coroutine's executor and never blocks a thread. Stateless: safe to use concurrently.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace relayer::server {

struct OutboundRequest {
  std::string method = "POST";
  std::string url;  // http://host[:port]/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{5000};
};

struct OutboundReply {
  int status = 0;     // 0: no answer (see error)
  std::string body;   // at most 64 KiB are read
  std::string error;  // why there is no answer, or "" when there is one
  bool ok() const { return status >= 200 && status < 300; }
};

boost::asio::awaitable<OutboundReply> SendOutbound(OutboundRequest request);

// Whether `url` is one SendOutbound can reach (an absolute http:// URL with a host).
bool IsSupportedTargetUrl(const std::string& url);

}  // namespace relayer::server
