// The SDK's HTTP transport: one request per call on a fresh loopback-or-LAN TCP connection
// (plain http://), asynchronous on the SDK's io_context. Layer's Accept header and the session
// are added by the caller through `headers`. No retries here: the send queue decides.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace relayer::sdk::net {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute: http://host:port/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  boost::system::error_code ec;  // transport failure (then status is 0)
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string Header(const std::string& name) const;  // case-insensitive; "" when absent
};

// `request` is copied into the coroutine frame.
boost::asio::awaitable<HttpResponse> HttpFetch(HttpRequest request,
                                               std::chrono::milliseconds timeout);

// Splits "http://host:port/path" into host, port ("80" by default) and target ("/path?q").
bool SplitUrl(const std::string& url, std::string& host, std::string& port, std::string& target);

}  // namespace relayer::sdk::net
