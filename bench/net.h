// Where the bench connects and from where: the server's loopback endpoint, and a pool of
// loopback source addresses (127.0.0.2, .3, ...) so that many client sockets do not run out of
// the ~28k ephemeral ports one (source, destination) address pair allows.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>

namespace relayer::bench {

struct Target {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host;  // for the Host header: "127.0.0.1:7300"
};

// Parses "http://127.0.0.1:PORT"; anything outside 127.0.0.0/8 is refused (empty error = ok).
std::string ParseTarget(const std::string& url, Target& out);

class SourceAddresses {
 public:
  // `count` addresses from 127.0.0.2 on; 0 picks one per 10,000 of `connections`.
  SourceAddresses(int count, size_t connections);
  // Round robin over the pool.
  boost::asio::ip::address Next();
  int size() const { return count_; }

 private:
  int count_;
  size_t next_ = 0;
};

// Opens `socket`, binds it to `local` (the port is picked at connect time, by the 4-tuple), and
// connects with TCP_NODELAY.
boost::asio::awaitable<boost::system::error_code> Connect(
    boost::asio::ip::tcp::socket& socket, const boost::asio::ip::tcp::endpoint& remote,
    const boost::asio::ip::address& local);

}  // namespace relayer::bench
