#include "net.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>

namespace relayer::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string ParseTarget(const std::string& url, Target& out) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return "cannot parse --url '" + url + "'";
  if (parsed->scheme() != "http") return "--url must start with http://";
  boost::system::error_code ec;
  auto address = asio::ip::make_address_v4(std::string(parsed->host()), ec);
  if (ec) return "--url must name an IPv4 address in 127.0.0.0/8";
  if ((address.to_uint() >> 24) != 127) return "only 127.0.0.0/8 targets are allowed";
  if (!parsed->has_port()) return "--url needs a port";
  out.endpoint = tcp::endpoint(address, parsed->port_number());
  out.host = std::string(parsed->host()) + ":" + std::string(parsed->port());
  return "";
}

SourceAddresses::SourceAddresses(int count, size_t connections) : count_(count) {
  if (count_ <= 0) count_ = static_cast<int>(connections / 10000 + 1);
  if (count_ > 250) count_ = 250;
}

asio::ip::address SourceAddresses::Next() {
  const auto i = static_cast<uint32_t>(next_++ % static_cast<size_t>(count_));
  return asio::ip::address_v4((127u << 24) | (2u + i));
}

asio::awaitable<boost::system::error_code> Connect(tcp::socket& socket, const tcp::endpoint& remote,
                                                   const asio::ip::address& local) {
  boost::system::error_code ec;
  socket.open(tcp::v4(), ec);
  if (ec) co_return ec;
  int one = 1;
  // Without this, bind() reserves a port for every destination and the pool shrinks to ~28k.
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  socket.bind(tcp::endpoint(local, 0), ec);
  if (!ec) {
    auto connect_aw = socket.async_connect(remote, asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(connect_aw);
  }
  if (!ec) socket.set_option(tcp::no_delay(true), ec);
  if (ec) {
    boost::system::error_code ignored;
    socket.close(ignored);
  }
  co_return ec;
}

}  // namespace relayer::bench
