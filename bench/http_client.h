// One kept-alive HTTP/1.1 connection that speaks the Client API's headers (Accept version 2.0,
// the session token). It connects on first use and after the server closed it; it never retries
// a request. Belongs to one executor; one request at a time.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <string>

#include "net.h"

namespace relayer::bench {

struct HttpRequest {
  boost::beast::http::verb verb = boost::beast::http::verb::get;
  std::string target;
  std::string body;           // JSON; empty sends no Content-Type
  std::string session_token;  // empty sends no Authorization
};

struct HttpResult {
  boost::system::error_code ec;  // transport error; then status is 0
  unsigned status = 0;
  std::string body;
  std::string layer_count;  // the Layer-Count header (a list's total), "" when absent
  bool ok() const { return !ec && status >= 200 && status < 300; }
  std::string Describe() const;  // "201" / "422: {...}" / "connection refused"
};

class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor ex, const Target& target, boost::asio::ip::address local);

  // `request` must stay alive until the awaitable completes (keep it in the caller's frame).
  boost::asio::awaitable<HttpResult> Send(const HttpRequest& request);
  void Close();
  uint64_t connects() const { return connects_; }

 private:
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  const Target& target_;
  boost::asio::ip::address local_;
  bool connected_ = false;
  uint64_t connects_ = 0;
};

}  // namespace relayer::bench
