// ClientImpl's lifecycle: the io thread, connect/disconnect, authentication (nonce -> identity
// token -> session), the WebSocket with reconnects and Event.replay, and event dispatch.
#include "client/client_impl.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <future>
#include <random>

#include "client/codec.h"
#include "client/socket.h"

namespace relayer::sdk {

namespace asio = boost::asio;
namespace json = boost::json;

ClientImpl::ClientImpl(ClientOptions options) : options_(std::move(options)) {}

ClientImpl::~ClientImpl() { Shutdown(); }

void ClientImpl::Start() {
  ioc_ = std::make_unique<asio::io_context>(1);
  std::string err = store_.Open(options_.queue_path);
  (void)err;  // without the file the queue lives in memory; connect() reports nothing worse
  queue_wake_.emplace(*ioc_);
  {
    std::lock_guard lock(mu_);
    running_ = true;
  }
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(*ioc_);
    ioc_->run();
  });
}

void ClientImpl::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    running_ = false;
  }
  ioc_->stop();
  if (thread_.joinable()) thread_.join();
  // Destroying the context destroys the suspended coroutines (never resumed) while `this` lives.
  socket_.reset();
  queue_wake_.reset();
  ioc_.reset();
}

void ClientImpl::Post(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  if (!running_) return;
  asio::post(*ioc_, std::move(fn));
}

ConnectionState ClientImpl::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::string ClientImpl::user() const {
  std::lock_guard lock(mu_);
  return user_;
}

size_t ClientImpl::PendingCount() const {
  std::lock_guard lock(mu_);
  return pending_ + posted_;
}

template <typename Event>
void ClientImpl::Emit(const Handlers<Event>& handlers, const Event& e) {
  std::vector<std::function<void(const Event&)>> copy;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, h] : handlers) copy.push_back(h);
  }
  for (const auto& h : copy) h(e);
}

#define RELAYER_SUBSCRIBE(Event, member)                                    \
  Subscription ClientImpl::Subscribe(std::function<void(const Event&)> h) { \
    std::lock_guard lock(mu_);                                              \
    Subscription id = next_subscription_++;                                 \
    member[id] = std::move(h);                                              \
    return id;                                                              \
  }                                                                         \
  template void ClientImpl::Emit<Event>(const Handlers<Event>&, const Event&);
RELAYER_SUBSCRIBE(MessagesAddEvent, on_messages_add_)
RELAYER_SUBSCRIBE(MessagesChangeEvent, on_messages_change_)
RELAYER_SUBSCRIBE(ConversationsAddEvent, on_conversations_add_)
RELAYER_SUBSCRIBE(ConversationsChangeEvent, on_conversations_change_)
RELAYER_SUBSCRIBE(TypingEvent, on_typing_)
RELAYER_SUBSCRIBE(ConnectionEvent, on_connection_)
#undef RELAYER_SUBSCRIBE

void ClientImpl::Unsubscribe(Subscription s) {
  std::lock_guard lock(mu_);
  on_messages_add_.erase(s);
  on_messages_change_.erase(s);
  on_conversations_add_.erase(s);
  on_conversations_change_.erase(s);
  on_typing_.erase(s);
  on_connection_.erase(s);
}

void ClientImpl::SetStateOnIo(ConnectionState s, Status reason) {
  {
    std::lock_guard lock(mu_);
    if (state_ == s) return;
    state_ = s;
  }
  Emit(on_connection_, ConnectionEvent{s, std::move(reason)});
}

std::chrono::milliseconds ClientImpl::Backoff(int attempt) const {
  static thread_local std::mt19937 rng{std::random_device{}()};
  auto d = options_.initial_backoff * (1LL << std::min(attempt, 16));
  d = std::min<std::chrono::milliseconds>(d, options_.max_backoff);
  // Up to 25% jitter so that many clients of a restarted server do not return in lockstep.
  std::uniform_int_distribution<int64_t> jitter(0, d.count() / 4);
  return d + std::chrono::milliseconds(jitter(rng));
}

asio::awaitable<void> ClientImpl::SleepOnIo(std::chrono::milliseconds d) {
  asio::steady_timer timer(*ioc_, d);
  boost::system::error_code ec;
  auto aw = timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_await std::move(aw);
}

void ClientImpl::Connect(const std::string& user, StatusCallback done) {
  {
    std::lock_guard lock(mu_);
    user_ = user;
  }
  // The persisted queue is read here, in order with later sends (see PostEnqueue).
  std::lock_guard order(enqueue_mu_);
  std::vector<net::QueuedOp> loaded;
  std::string last_change;
  if (!queue_loaded_) {
    queue_loaded_ = true;
    loaded = store_.Load(user);
    last_change = store_.LastChange(user);
    std::lock_guard lock(mu_);
    posted_ += loaded.size();
  }
  Post([this, loaded = std::move(loaded), last_change = std::move(last_change)]() mutable {
    if (!last_change.empty()) last_change_ = last_change;
    for (auto& stored : loaded) {
      Op op;
      static_cast<net::QueuedOp&>(op) = std::move(stored);
      queue_.push_back(std::move(op));
    }
    std::lock_guard lock(mu_);
    posted_ -= loaded.size();
    pending_ = queue_.size();
  });
  Post([this, user, done = std::move(done)]() mutable {
    if (want_connected_) {  // already connecting: a second connect() only learns the outcome
      if (done) done(Status(StatusCode::kInvalidArgument, "already connected or connecting"));
      return;
    }
    want_connected_ = true;
    connect_done_ = std::move(done);
    uint64_t generation = ++generation_;
    asio::co_spawn(*ioc_, ConnectLoop(generation), asio::detached);
    if (!queue_loop_running_) {
      queue_loop_running_ = true;
      asio::co_spawn(*ioc_, QueueLoop(), asio::detached);
    }
  });
}

void ClientImpl::Disconnect() {
  Post([this] {
    want_connected_ = false;
    ++generation_;
    session_token_.clear();
    if (socket_) socket_->Close();
    socket_.reset();
    SetStateOnIo(ConnectionState::kDisconnected);
    if (connect_done_)
      std::exchange(connect_done_, {})(Status(StatusCode::kCancelled, "disconnected"));
  });
}

asio::awaitable<Status> ClientImpl::AuthenticateOnIo() {
  auto nonce_aw = ApiOnIo("POST", "/nonces", "");
  HttpResponse nonce_res = co_await std::move(nonce_aw);
  if (auto s = StatusOf(nonce_res); !s.ok()) co_return s;
  boost::system::error_code ec;
  auto nonce_json = json::parse(nonce_res.body, ec);
  if (ec || !nonce_json.is_object()) co_return Status(StatusCode::kServerError, "bad nonce answer");
  std::string nonce = JStr(nonce_json.as_object(), "nonce");
  if (!options_.identity_token)
    co_return Status(StatusCode::kUnauthenticated, "no identity token provider");

  // The provider may answer from any thread; come back to the SDK thread to continue.
  auto token_result = std::make_shared<std::optional<Result<std::string>>>();
  asio::steady_timer wait(*ioc_, std::chrono::steady_clock::time_point::max());
  std::string user = this->user();
  std::weak_ptr<ClientImpl> weak = weak_from_this();
  options_.identity_token(nonce, user, [this, weak, token_result, &wait](Result<std::string> r) {
    auto self = weak.lock();
    if (!self) return;
    Post([token_result, r = std::move(r), &wait]() mutable {
      *token_result = std::move(r);
      wait.cancel();
    });
  });
  boost::system::error_code wait_ec;
  auto wait_aw = wait.async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
  co_await std::move(wait_aw);
  if (!*token_result) co_return Status(StatusCode::kCancelled, "no identity token");
  if (!(*token_result)->ok()) {
    Status s = (*token_result)->status();
    co_return Status(StatusCode::kUnauthenticated, "identity token: " + s.message());
  }
  json::object body{{"identity_token", (*token_result)->value()}, {"app_id", options_.app_id}};
  auto session_aw = ApiOnIo("POST", "/sessions", json::serialize(body));
  HttpResponse session_res = co_await std::move(session_aw);
  Status s = StatusOf(session_res);
  if (!s.ok()) {
    // A refused token is final (422/401/403); anything else is retried.
    if (session_res.status >= 400 && session_res.status < 500)
      co_return Status(StatusCode::kUnauthenticated, s.message(), s.layerId(), s.httpStatus());
    co_return s;
  }
  auto session = json::parse(session_res.body, ec);
  if (ec || !session.is_object()) co_return Status(StatusCode::kServerError, "bad session answer");
  session_token_ = JStr(session.as_object(), "session_token");
  co_return Status();
}

asio::awaitable<void> ClientImpl::ConnectLoop(uint64_t generation) {
  int attempt = 0;
  while (generation == generation_) {
    if (session_token_.empty()) {
      SetStateOnIo(ConnectionState::kAuthenticating);
      auto auth_aw = AuthenticateOnIo();
      Status s = co_await std::move(auth_aw);
      if (generation != generation_) co_return;
      if (!s.ok()) {
        if (s.code() == StatusCode::kUnauthenticated || s.code() == StatusCode::kCancelled) {
          want_connected_ = false;
          ++generation_;
          SetStateOnIo(ConnectionState::kDisconnected, s);
          if (connect_done_) std::exchange(connect_done_, {})(s);
          co_return;
        }
        SetStateOnIo(ConnectionState::kOffline, s);
        auto sleep_aw = SleepOnIo(Backoff(attempt++));
        co_await std::move(sleep_aw);
        continue;
      }
      WakeQueueOnIo();  // REST works now, even before the socket is up
    }
    SetStateOnIo(ConnectionState::kConnecting);
    auto socket = std::make_shared<net::Socket>(ioc_->get_executor());
    socket_ = socket;
    auto open_aw = socket->Open(options_.server_url, session_token_);
    boost::system::error_code ec = co_await std::move(open_aw);
    if (generation != generation_) co_return;
    if (ec) {
      SetStateOnIo(ConnectionState::kOffline, Status(StatusCode::kUnavailable, ec.message()));
      auto sleep_aw = SleepOnIo(Backoff(attempt++));
      co_await std::move(sleep_aw);
      continue;
    }
    attempt = 0;
    // Changes missed while away (the server keeps each user's change log).
    if (!last_change_.empty()) {
      json::object body{{"method", "Event.replay"},
                        {"request_id", Codec::NewUuid()},
                        {"data", json::object{{"from_timestamp", last_change_}}}};
      socket->Send("request", std::move(body));
    }
    SetStateOnIo(ConnectionState::kConnected);
    if (connect_done_) std::exchange(connect_done_, {})(Status());
    WakeQueueOnIo();
    auto read_aw = socket->ReadLoop([this](const json::object& p) { OnPacketOnIo(p); });
    net::SocketEnd end = co_await std::move(read_aw);
    if (generation != generation_) co_return;
    if (end.close_code == 4001) session_token_.clear();  // session gone: authenticate again
    SetStateOnIo(
        ConnectionState::kOffline,
        Status(StatusCode::kUnavailable, end.reason.empty() ? end.ec.message() : end.reason));
    auto sleep_aw = SleepOnIo(Backoff(attempt++));
    co_await std::move(sleep_aw);
  }
}

asio::awaitable<HttpResponse> ClientImpl::ApiOnIo(std::string method, std::string path,
                                                  std::string body, std::string content_type) {
  net::HttpRequest req;
  req.method = std::move(method);
  req.url = options_.server_url + path;
  req.headers.emplace_back("Accept", "application/vnd.layer+json; version=2.0");
  if (!session_token_.empty())
    req.headers.emplace_back("Authorization", "Layer session-token=\"" + session_token_ + "\"");
  if (!body.empty())
    req.headers.emplace_back("Content-Type",
                             content_type.empty() ? "application/json" : content_type);
  req.body = std::move(body);
  auto aw = net::HttpFetch(std::move(req), options_.request_timeout);
  HttpResponse res = co_await std::move(aw);
  co_return res;
}

Status ClientImpl::StatusOf(const HttpResponse& r) {
  if (r.ec) return Status(StatusCode::kUnavailable, r.ec.message());
  if (r.status >= 200 && r.status < 300) return Status();
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  std::string id, message = "HTTP " + std::to_string(r.status);
  if (!ec && v.is_object()) {
    id = JStr(v.as_object(), "id");
    if (auto m = JStr(v.as_object(), "message"); !m.empty()) message = m;
  }
  StatusCode code = StatusCode::kServerError;
  switch (r.status) {
    case 400:
    case 406:
    case 413:
    case 422:
      code = StatusCode::kInvalidArgument;
      break;
    case 401:
      code = StatusCode::kUnauthenticated;
      break;
    case 403:
      code = StatusCode::kPermissionDenied;
      break;
    case 404:
      code = StatusCode::kNotFound;
      break;
    case 409:
      code = StatusCode::kConflict;
      break;
    case 408:
    case 429:
    case 502:
    case 503:
    case 504:
      code = StatusCode::kUnavailable;
      break;
    default:
      break;
  }
  return Status(code, message, id, r.status);
}

}  // namespace relayer::sdk
