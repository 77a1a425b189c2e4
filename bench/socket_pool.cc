#include "socket_pool.h"

#include <boost/beast/websocket.hpp>

#include "report.h"

namespace relayer::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;

SocketPool::SocketPool(asio::any_io_executor ex, const Target* target,
                       const std::vector<std::string>* tokens, size_t n, SourceAddresses* sources)
    : ex_(std::move(ex)), target_(target), tokens_(tokens) {
  for (size_t i = 0; i < n; ++i) {
    auto s = std::make_unique<Socket>();
    s->local = sources->Next();
    sockets_.push_back(std::move(s));
  }
}

asio::awaitable<void> SocketPool::ReadLoop(SocketPool* pool, size_t i) {
  Socket* s = pool->sockets_[i].get();
  boost::system::error_code ec;
  for (;;) {
    auto aw = s->ws->async_read(s->buffer, asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(aw);
    if (ec) break;
    pool->packets++;
    if (pool->on_packet) {
      const auto data = s->buffer.cdata();
      pool->on_packet(i, std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    s->buffer.consume(s->buffer.size());
  }
  s->open = false;
  pool->open--;
  pool->reading_--;
  if (pool->closing_) co_return;
  pool->closed++;
  std::string why = ec.message();
  if (ec == beast::websocket::error::closed) {
    why = "closed by server: " + std::to_string(s->ws->reason().code) + " " +
          std::string(s->ws->reason().reason.data(), s->ws->reason().reason.size());
  }
  pool->close_kinds[why]++;
}

asio::awaitable<void> SocketPool::OpenOne(SocketPool* pool, size_t worker, size_t i) {
  (void)worker;
  if (pool->closing_) co_return;  // CloseAll came first: the rest are not tried
  pool->attempted++;
  Socket* s = pool->sockets_[i].get();
  const std::string& token = (*pool->tokens_)[i];
  if (token.empty()) {
    pool->failed++;
    pool->fail_kinds["login failed"]++;
    co_return;
  }
  s->ws.emplace(pool->ex_);
  s->buffer.clear();
  s->started = Clock::now();
  auto aw = OpenLayerSocket(*s->ws, *pool->target_, s->local, token);
  boost::system::error_code ec = co_await std::move(aw);
  if (pool->closing_) {  // closed under it: neither a failure nor a connection
    boost::system::error_code ignored;
    beast::get_lowest_layer(*s->ws).socket().close(ignored);
    co_return;
  }
  std::string first;
  if (!ec && pool->first_packet) first = pool->first_packet(i);
  if (!ec && !first.empty()) {
    auto write_aw =
        s->ws->async_write(asio::buffer(first), asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(write_aw);
  }
  if (ec) {
    pool->failed++;
    pool->fail_kinds[ec.message()]++;
    boost::system::error_code ignored;
    beast::get_lowest_layer(*s->ws).socket().close(ignored);
    co_return;
  }
  s->open = true;
  pool->connected++;
  pool->open++;
  pool->reading_++;
  auto read = ReadLoop(pool, i);
  asio::co_spawn(pool->ex_, std::move(read), asio::detached);
}

asio::awaitable<void> SocketPool::ReportProgress(SocketPool* pool, const char* label,
                                                 long server_pid) {
  auto next = Clock::now();
  while (pool->opening_) {
    next += std::chrono::seconds(1);
    auto aw = SleepUntil(next);
    co_await std::move(aw);
    if (!pool->opening_) break;
    std::string line = std::string("[") + label + "] attempted " + std::to_string(pool->attempted) +
                       " connected " + std::to_string(pool->connected) + " failed " +
                       std::to_string(pool->failed) + " open " + std::to_string(pool->open);
    if (server_pid > 0) line += " server RSS " + std::to_string(ReadVmRssKb(server_pid)) + " kB";
    Progress(line);
  }
}

asio::awaitable<void> SocketPool::OpenAll(size_t concurrency, const char* label, long server_pid) {
  attempted = connected = failed = closed = 0;
  open_seconds = 0;
  packets = 0;
  fail_kinds.clear();
  close_kinds.clear();
  closing_ = false;
  opening_ = true;
  auto progress = ReportProgress(this, label, server_pid);
  asio::co_spawn(ex_, std::move(progress), asio::detached);
  const auto start = Clock::now();
  auto open_aw = ForEach<SocketPool>(this, &OpenOne, sockets_.size(), concurrency);
  co_await std::move(open_aw);
  opening_ = false;
  open_seconds = closing_ ? 0 : static_cast<double>(NanosBetween(start, Clock::now())) / 1e9;
}

asio::awaitable<void> SocketPool::CloseAll() {
  closing_ = true;
  for (auto& s : sockets_) {
    if (!s->ws) continue;
    boost::system::error_code ignored;
    beast::get_lowest_layer(*s->ws).socket().close(ignored);
  }
  while (reading_ > 0 || opening_) {
    auto aw = SleepUntil(Clock::now() + std::chrono::milliseconds(5));
    co_await std::move(aw);
  }
}

}  // namespace relayer::bench
