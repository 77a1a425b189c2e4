#include "server/fanout/resp_link.h"

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace relayer::fanout {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kTupleAwaitable = asio::as_tuple(asio::use_awaitable);

Status Unavailable(std::string m) { return Status(ErrorCode::kServiceUnavailable, std::move(m)); }

struct ReaderDeleter {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};
struct ReplyDeleter {
  void operator()(void* r) const { freeReplyObject(r); }
};

}  // namespace

RespLink::RespLink(Strand strand, RespLinkOptions options, Hooks hooks)
    : strand_(strand),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      socket_(strand),
      timer_(strand) {}

RespLink::~RespLink() = default;

std::string RespLink::Format(const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  char* cmd = nullptr;
  const int n =
      redisFormatCommandArgv(&cmd, static_cast<int>(argv.size()), argv.data(), lens.data());
  assert(n > 0 && cmd != nullptr);  // fails only when out of memory
  std::string out(cmd, static_cast<size_t>(n));
  redisFreeCommand(cmd);
  return out;
}

void RespLink::Start() {
  auto self = shared_from_this();
  asio::co_spawn(
      strand_, [self]() { return self->Run(); }, asio::detached);
}

void RespLink::Stop() {
  stopped_ = true;
  hooks_ = {};  // nothing the owner captured is touched after this
  Close();
  timer_.cancel();
}

void RespLink::Close() {
  connected_ = false;
  ++generation_;
  out_.clear();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

asio::awaitable<void> RespLink::Run() {
  auto self = shared_from_this();  // the frame outlives the owner's reference after Stop()
  auto backoff = options_.min_backoff;
  while (!stopped_) {
    Status st = co_await ConnectOnce();
    if (st.ok() && !stopped_) {
      backoff = options_.min_backoff;
      connected_ = true;
      skip_replies_ = 0;
      if (!options_.client_name.empty()) {
        Send(Format({"CLIENT", "SETNAME", options_.client_name}));
        skip_replies_ = 1;
      }
      if (hooks_.on_connected) hooks_.on_connected();
      st = co_await ReadUntilError();
      const bool was_stopped = stopped_;
      Close();
      if (!was_stopped && hooks_.on_lost) hooks_.on_lost(st);
    }
    if (stopped_) break;
    timer_.expires_after(backoff);
    auto wait_aw = timer_.async_wait(kTupleAwaitable);
    co_await std::move(wait_aw);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

asio::awaitable<Status> RespLink::ConnectOnce() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    // Names resolve here too; the resolver's blocking work runs on Asio's own thread.
    tcp::resolver resolver(strand_);
    const std::string port = std::to_string(options_.port);
    auto resolve_aw = resolver.async_resolve(options_.host, port, kTupleAwaitable);
    auto [rec, results] = co_await std::move(resolve_aw);
    if (rec || results.empty()) co_return Unavailable("redis: cannot resolve " + options_.host);
    address = results.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, options_.port);
  // The timer closes the socket, which aborts the pending connect.
  std::weak_ptr<RespLink> weak = weak_from_this();
  const auto attempt = generation_;
  timer_.expires_after(options_.connect_timeout);
  timer_.async_wait([weak, attempt](boost::system::error_code tec) {
    auto self = weak.lock();
    if (!tec && self && self->generation_ == attempt && !self->connected_) {
      boost::system::error_code ignored;
      self->socket_.close(ignored);
    }
  });
  auto connect_aw = socket_.async_connect(endpoint, kTupleAwaitable);
  auto [cec] = co_await std::move(connect_aw);
  timer_.cancel();
  if (cec) {
    Close();
    co_return Unavailable("redis: cannot connect to " + options_.host + ":" +
                          std::to_string(options_.port) + ": " + cec.message());
  }
  socket_.set_option(tcp::no_delay(true), ec);
  // No PING of our own yet: TCP keepalive is what notices a Redis that vanished without closing
  // the connection (the subscriber only reads, so nothing else would). The kernel's default
  // waits two hours before the first probe; these bound it to about four keepalive periods.
  socket_.set_option(asio::socket_base::keep_alive(true), ec);
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT) && \
    defined(TCP_USER_TIMEOUT)
  const int period = static_cast<int>(std::max<std::int64_t>(1, options_.keepalive.count()));
  socket_.set_option(asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPIDLE>(period), ec);
  socket_.set_option(asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPINTVL>(period), ec);
  socket_.set_option(asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPCNT>(3), ec);
  // Unacknowledged writes are bounded the same way (keepalive does not probe while data waits).
  socket_.set_option(
      asio::detail::socket_option::integer<IPPROTO_TCP, TCP_USER_TIMEOUT>(period * 4 * 1000), ec);
#endif
  ++generation_;
  co_return Status::Ok();
}

asio::awaitable<Status> RespLink::ReadUntilError() {
  std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
  std::array<char, 16 * 1024> buf;
  while (!stopped_) {
    auto read_aw = socket_.async_read_some(asio::buffer(buf), kTupleAwaitable);
    auto [ec, n] = co_await std::move(read_aw);
    if (ec) co_return Unavailable("redis: connection lost: " + ec.message());
    if (redisReaderFeed(reader.get(), buf.data(), n) != REDIS_OK) {
      co_return Internal("redis: reader: " + std::string(reader->errstr));
    }
    while (!stopped_) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) {
        co_return Internal("redis: protocol error: " + std::string(reader->errstr));
      }
      if (raw == nullptr) break;  // needs more bytes
      std::unique_ptr<void, ReplyDeleter> reply(raw);
      if (skip_replies_ > 0) {
        --skip_replies_;
        continue;
      }
      if (hooks_.on_reply) hooks_.on_reply(*static_cast<const redisReply*>(raw));
    }
  }
  co_return Status::Ok();
}

bool RespLink::Send(std::string bytes) {
  if (!connected_) return false;
  out_ += bytes;
  Flush();
  return true;
}

void RespLink::Flush() {
  if (writing_ || out_.empty() || !connected_) return;
  writing_ = true;
  inflight_.swap(out_);
  out_.clear();
  auto self = shared_from_this();
  const auto gen = generation_;
  asio::async_write(socket_, asio::buffer(inflight_),
                    [self, gen](boost::system::error_code ec, size_t) {
                      self->writing_ = false;
                      self->inflight_.clear();
                      if (gen != self->generation_) {
                        self->Flush();  // a new connection may have queued bytes meanwhile
                        return;
                      }
                      // The read loop notices the broken socket and reports the loss.
                      if (ec) {
                        boost::system::error_code ignored;
                        self->socket_.close(ignored);
                        return;
                      }
                      self->Flush();
                    });
}

}  // namespace relayer::fanout
