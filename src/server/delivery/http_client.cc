#include "server/delivery/http_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace relayer::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

struct Target {
  std::string host, port, path;
};

bool ParseTarget(const std::string& url, Target& out) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || u->scheme() != "http" || !u->has_authority() || u->host().empty()) return false;
  out.host = std::string(u->encoded_host());
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  out.port = u->has_port() ? std::string(u->port()) : "80";
  out.path = std::string(u->encoded_path());
  if (out.path.empty()) out.path = "/";
  if (u->has_query()) out.path += "?" + std::string(u->encoded_query());
  return true;
}

}  // namespace

bool IsSupportedTargetUrl(const std::string& url) {
  Target t;
  return ParseTarget(url, t);
}

asio::awaitable<OutboundReply> SendOutbound(OutboundRequest request) {
  OutboundReply reply;
  Target target;
  if (!ParseTarget(request.url, target)) {
    reply.error = "unsupported target URL (only http:// is supported)";
    co_return reply;
  }
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  try {
    asio::ip::tcp::resolver resolver(executor);
    stream.expires_after(request.timeout);
    auto resolve_aw = resolver.async_resolve(target.host, target.port, asio::use_awaitable);
    auto endpoints = co_await std::move(resolve_aw);
    auto connect_aw = stream.async_connect(endpoints, asio::use_awaitable);
    co_await std::move(connect_aw);

    http::request<http::string_body> req;
    req.method_string(request.method);
    req.target(target.path);
    req.version(11);
    const bool default_port = target.port == "80";
    req.set(http::field::host, default_port ? target.host : target.host + ":" + target.port);
    for (const auto& [k, v] : request.headers) req.set(k, v);
    req.keep_alive(false);
    if (request.method != "GET" || !request.body.empty()) {
      req.body() = request.body;
      req.prepare_payload();
    }
    auto write_aw = http::async_write(stream, req, asio::use_awaitable);
    co_await std::move(write_aw);

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    auto read_aw = http::async_read(stream, buffer, parser, asio::use_awaitable);
    co_await std::move(read_aw);
    reply.status = static_cast<int>(parser.get().result_int());
    reply.body = std::move(parser.get().body());
  } catch (const boost::system::system_error& e) {
    reply.status = 0;
    reply.error = e.code() == beast::error::timeout ? "timed out" : e.code().message();
  }
  boost::system::error_code ec;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  stream.socket().close(ec);
  co_return reply;
}

}  // namespace relayer::server
