#include "client/http.h"

#include <strings.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace relayer::sdk::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string HttpResponse::Header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return "";
}

bool SplitUrl(const std::string& url, std::string& host, std::string& port, std::string& target) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) return false;
  size_t start = scheme.size();
  size_t slash = url.find('/', start);
  std::string authority =
      url.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
  target = slash == std::string::npos ? "/" : url.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos) {
    host = authority;
    port = "80";
  } else {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  return !host.empty() && !port.empty();
}

asio::awaitable<HttpResponse> HttpFetch(HttpRequest request, std::chrono::milliseconds timeout) {
  HttpResponse out;
  std::string host, port, target;
  if (!SplitUrl(request.url, host, port, target)) {
    out.ec = make_error_code(boost::system::errc::invalid_argument);
    co_return out;
  }
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(ex);
  auto resolve_aw =
      resolver.async_resolve(host, port, asio::redirect_error(asio::use_awaitable, out.ec));
  auto endpoints = co_await std::move(resolve_aw);
  if (out.ec) co_return out;
  beast::tcp_stream stream(ex);
  stream.expires_after(timeout);  // bounds the whole exchange, connect included
  auto connect_aw =
      stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, out.ec));
  co_await std::move(connect_aw);
  if (out.ec) co_return out;

  http::verb verb = http::string_to_verb(request.method);
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, host + ":" + port);
  for (const auto& [k, v] : request.headers) req.set(k, v);
  req.body() = std::move(request.body);
  req.keep_alive(false);
  req.prepare_payload();
  auto write_aw = http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, out.ec));
  co_await std::move(write_aw);
  if (out.ec) co_return out;

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // content downloads
  if (verb == http::verb::head) parser.skip(true);
  auto read_aw =
      http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, out.ec));
  co_await std::move(read_aw);
  if (out.ec) co_return out;
  auto res = parser.release();
  out.status = res.result_int();
  out.body = std::move(res.body());
  for (const auto& field : res)
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return out;
}

}  // namespace relayer::sdk::net
