#include "integration/http_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace relayer::it {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string ReceivedRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(k[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return v;
  }
  return "";
}

HttpReceiver::HttpReceiver() {
  responder_ = [](const ReceivedRequest&) { return std::make_pair(204, std::string()); };
  Start();
}

HttpReceiver::~HttpReceiver() { Stop(); }

std::string HttpReceiver::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpReceiver::SetResponder(Responder responder) {
  std::lock_guard lock(mu_);
  responder_ = std::move(responder);
}

void HttpReceiver::SetStatus(int status) {
  SetResponder([status](const ReceivedRequest&) { return std::make_pair(status, std::string()); });
}

void HttpReceiver::Start() {
  if (listen_fd_ >= 0) return;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    return;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  listen_fd_ = fd;
  stop_ = false;
  thread_ = std::thread([this] { Serve(); });
}

void HttpReceiver::Stop() {
  if (listen_fd_ < 0) return;
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
}

std::vector<ReceivedRequest> HttpReceiver::Received() const {
  std::lock_guard lock(mu_);
  return received_;
}

size_t HttpReceiver::Count() const {
  std::lock_guard lock(mu_);
  return received_.size();
}

void HttpReceiver::Serve() {
  asio::io_context ioc;
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    asio::ip::tcp::socket socket(ioc);
    boost::system::error_code ec;
    socket.assign(asio::ip::tcp::v4(), fd, ec);
    if (ec) {
      ::close(fd);
      continue;
    }
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    // Serves the connection's requests (the server sends one per connection).
    for (;;) {
      http::request<http::string_body> req;
      stream.expires_after(std::chrono::seconds(5));
      http::read(stream, buffer, req, ec);
      if (ec) break;
      ReceivedRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      r.body = req.body();
      for (const auto& f : req) r.headers.emplace_back(f.name_string(), f.value());
      Responder responder;
      {
        std::lock_guard lock(mu_);
        responder = responder_;
      }
      auto [status, body] = responder(r);
      r.answered = status;
      {
        std::lock_guard lock(mu_);
        received_.push_back(r);
      }
      http::response<http::string_body> res{static_cast<http::status>(status), 11};
      res.body() = body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(stream, res, ec);
      if (ec || !req.keep_alive()) break;
    }
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    stream.socket().close(ec);
  }
}

}  // namespace relayer::it
