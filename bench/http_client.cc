#include "http_client.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

namespace relayer::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string HttpResult::Describe() const {
  if (ec) return ec.message();
  std::string out = std::to_string(status);
  if (!ok() && !body.empty()) out += ": " + body.substr(0, 300);
  return out;
}

HttpClient::HttpClient(asio::any_io_executor ex, const Target& target, asio::ip::address local)
    : stream_(std::move(ex)), target_(target), local_(local) {}

void HttpClient::Close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  buffer_.clear();
  connected_ = false;
}

asio::awaitable<HttpResult> HttpClient::Send(const HttpRequest& request) {
  HttpResult out;
  stream_.expires_after(std::chrono::seconds(30));  // bounds every request, connect included
  if (!connected_) {
    auto connect_aw = Connect(stream_.socket(), target_.endpoint, local_);
    out.ec = co_await std::move(connect_aw);
    if (out.ec) co_return out;
    connected_ = true;
    connects_++;
  }
  http::request<http::string_body> req{request.verb, request.target, 11};
  req.set(http::field::host, target_.host);
  req.set(http::field::accept, "application/vnd.layer+json; version=2.0");
  if (!request.session_token.empty()) {
    req.set(http::field::authorization, "Layer session-token=\"" + request.session_token + "\"");
  }
  if (!request.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = request.body;
  }
  req.keep_alive(true);
  req.prepare_payload();
  auto write_aw =
      http::async_write(stream_, req, asio::redirect_error(asio::use_awaitable, out.ec));
  co_await std::move(write_aw);
  if (out.ec) {
    Close();
    co_return out;
  }
  http::response<http::string_body> res;
  auto read_aw =
      http::async_read(stream_, buffer_, res, asio::redirect_error(asio::use_awaitable, out.ec));
  co_await std::move(read_aw);
  if (out.ec) {
    Close();
    co_return out;
  }
  stream_.expires_never();
  out.status = res.result_int();
  out.body = std::move(res.body());
  out.layer_count = std::string(res["Layer-Count"]);
  if (!res.keep_alive()) Close();
  co_return out;
}

}  // namespace relayer::bench
