#include "server/fanout/node_fanout.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <random>

namespace relayer::fanout {

namespace asio = boost::asio;
namespace json = boost::json;

// ---- StoreUserLog ------------------------------------------------------------------------------

Result<int64_t> StoreUserLog::Head(const AppId& app, const UserId& user) {
  return store_.UserSeqHead(app, user);
}

Result<std::vector<UserEvent>> StoreUserLog::After(const AppId& app, const UserId& user,
                                                   int64_t after, size_t limit) {
  auto page = store_.UserChangesAfter(app, user, after, limit);
  if (!page.ok()) return page.status();
  std::vector<UserEvent> out;
  out.reserve(page->size());
  for (auto& uc : *page) {
    UserEvent event;
    event.user_seq = uc.user_seq;
    event.change = std::move(uc.change);
    const Change& c = event.change;
    if (c.op == ChangeOp::kCreate) {
      // As Event.replay: the object as the user sees it now; none when gone or not visible.
      auto objects = std::make_shared<WriteResult>();
      if (c.type == ObjectType::kConversation) {
        auto conv = store_.GetConversation(app, user, ConversationId(c.object_id));
        if (conv.ok()) objects->conversation = std::move(*conv);
      } else if (c.type == ObjectType::kMessage) {
        auto m = store_.GetMessage(app, user, MessageId(c.object_id));
        if (m.ok()) objects->message = std::move(*m);
      } else if (c.type == ObjectType::kAnnouncement) {
        auto m = store_.GetAnnouncement(app, user, MessageId(c.object_id));
        if (m.ok()) objects->message = std::move(*m);
      }
      event.objects = std::move(objects);
    }
    out.push_back(std::move(event));
  }
  return out;
}

// ---- payloads ----------------------------------------------------------------------------------

namespace {

std::string NewNodeId() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

json::object ChangeJson(const Change& c, int64_t user_seq) {
  json::object o;
  o["u"] = user_seq;
  o["s"] = c.seq;
  o["t"] = c.ts;
  o["o"] = static_cast<int>(c.op);
  o["y"] = static_cast<int>(c.type);
  o["i"] = c.object_id;
  o["v"] = c.conversation_id.str();
  if (!c.data_json.empty()) o["d"] = c.data_json;
  return o;
}

bool ReadInt(const json::object& o, const char* key, int64_t& out) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_int64()) return false;
  out = v->as_int64();
  return true;
}

bool ReadString(const json::object& o, const char* key, std::string& out) {
  auto* v = o.if_contains(key);
  if (!v) return true;  // absent: empty
  if (!v->is_string()) return false;
  out = v->as_string();
  return true;
}

bool ParseChange(const json::value& v, UserEvent& out) {
  if (!v.is_object()) return false;
  const auto& o = v.as_object();
  int64_t op = 0, type = 0;
  std::string conv;
  if (!ReadInt(o, "u", out.user_seq) || !ReadInt(o, "s", out.change.seq) ||
      !ReadInt(o, "t", out.change.ts) || !ReadInt(o, "o", op) || !ReadInt(o, "y", type) ||
      !ReadString(o, "i", out.change.object_id) || !ReadString(o, "v", conv) ||
      !ReadString(o, "d", out.change.data_json)) {
    return false;
  }
  if (op < 0 || op > static_cast<int64_t>(ChangeOp::kDelete) || type < 0 ||
      type > static_cast<int64_t>(ObjectType::kAnnouncement) || out.user_seq <= 0) {
    return false;
  }
  out.change.op = static_cast<ChangeOp>(op);
  out.change.type = static_cast<ObjectType>(type);
  out.change.conversation_id = ConversationId(conv);
  return true;
}

struct UserState {
  AppId app;
  UserId user;
  std::string channel;
  int connections = 0;
  bool ready = false;  // the head is read: cursor is valid
  bool busy = false;   // a head read or a fill is running
  bool again = false;  // fill once more when the running read is done
  int64_t cursor = 0;  // the last user_seq delivered
  int64_t want = 0;    // the highest user_seq announced
};

}  // namespace

std::string NodeFanout::Channel(const AppId& app, const UserId& user) {
  return "relayer:" + app.str() + ":u:" + user.str();
}

// ---- NodeFanout --------------------------------------------------------------------------------

struct NodeFanout::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, asio::thread_pool& blocking, UserLog& log,
       NodeFanoutOptions options, NodeFanoutHandlers handlers)
      : ex(std::move(ex)),
        blocking(blocking),
        log(log),
        options(std::move(options)),
        handlers(std::move(handlers)),
        node_id(NewNodeId()) {}

  asio::any_io_executor ex;
  asio::thread_pool& blocking;
  UserLog& log;
  NodeFanoutOptions options;
  NodeFanoutHandlers handlers;
  const std::string node_id;
  std::unique_ptr<RedisBus> bus;
  std::map<std::string, std::shared_ptr<UserState>> users;  // by channel
  std::atomic<bool> stopped{false};

  // Runs f on the executor while this object lives and is not stopped.
  template <class F>
  void Post(F f) {
    asio::post(ex, [weak = weak_from_this(), f = std::move(f)]() mutable {
      if (auto self = weak.lock(); self && !self->stopped) f(*self);
    });
  }

  std::shared_ptr<UserState> Find(const std::string& channel) {
    auto it = users.find(channel);
    return it == users.end() ? nullptr : it->second;
  }

  void Connected(const AppId& app, const UserId& user) {
    std::string channel = Channel(app, user);
    auto& st = users[channel];
    if (st) {
      ++st->connections;
      return;
    }
    st = std::make_shared<UserState>();
    st->app = app;
    st->user = user;
    st->channel = channel;
    st->connections = 1;
    std::weak_ptr<UserState> weak_st = st;
    // The head is read only once Redis confirmed the subscription: every change above it then
    // either arrives on the channel or is found by a fill.
    bus->Subscribe(channel, [weak_st, weak = weak_from_this()] {
      auto self = weak.lock();
      if (!self) return;
      self->Post([weak_st](Impl& self) {
        if (auto st = weak_st.lock(); st && self.Find(st->channel) == st) self.ReadHead(st);
      });
    });
  }

  void Disconnected(const AppId& app, const UserId& user) {
    auto it = users.find(Channel(app, user));
    if (it == users.end()) return;
    if (--it->second->connections > 0) return;
    bus->Unsubscribe(it->first);
    users.erase(it);  // reads still running for it see a stale state and drop their result
  }

  bool Current(const std::shared_ptr<UserState>& st) const {
    auto it = users.find(st->channel);
    return it != users.end() && it->second == st;
  }

  void ReadHead(std::shared_ptr<UserState> st) {
    st->busy = true;
    asio::post(blocking, [weak = weak_from_this(), st]() {
      auto self = weak.lock();
      if (!self) return;
      auto head = self->log.Head(st->app, st->user);
      self->Post([st, head = std::move(head)](Impl& self) {
        if (!self.Current(st)) return;
        st->busy = false;
        if (!head.ok()) {
          spdlog::error("fan-out: cannot read the sequence head of {}: {}", st->user.str(),
                        head.status().message());
          self.RetryLater(st, [](Impl& s, std::shared_ptr<UserState> u) { s.ReadHead(u); });
          return;
        }
        st->ready = true;
        st->cursor = *head;
        if (self.handlers.ready) self.handlers.ready(st->app, st->user, st->cursor);
        if (st->again || st->want > st->cursor) self.Fill(st);
      });
    });
  }

  template <class F>
  void RetryLater(std::shared_ptr<UserState> st, F f) {
    st->busy = true;  // nothing else starts a read meanwhile
    auto timer = std::make_shared<asio::steady_timer>(ex, options.retry);
    timer->async_wait([timer, st, f, weak = weak_from_this()](boost::system::error_code) {
      auto self = weak.lock();
      if (!self || self->stopped || !self->Current(st)) return;
      st->busy = false;
      f(*self, st);
    });
  }

  // Reads and delivers everything after the cursor; one read at a time per user.
  void Fill(std::shared_ptr<UserState> st) {
    if (!st->ready || st->busy) {
      st->again = true;
      return;
    }
    st->busy = true;
    st->again = false;
    const int64_t after = st->cursor;
    const size_t limit = options.fill_page;
    asio::post(blocking, [weak = weak_from_this(), st, after, limit]() {
      auto self = weak.lock();
      if (!self) return;
      auto page = self->log.After(st->app, st->user, after, limit);
      self->Post([st, after, limit, page = std::move(page)](Impl& self) mutable {
        if (!self.Current(st)) return;
        st->busy = false;
        if (!page.ok()) {
          spdlog::error("fan-out: cannot read the changes of {}: {}", st->user.str(),
                        page.status().message());
          self.RetryLater(st, [](Impl& s, std::shared_ptr<UserState> u) { s.Fill(u); });
          return;
        }
        for (const auto& event : *page) {
          if (event.user_seq <= st->cursor) continue;
          if (event.user_seq != st->cursor + 1) {
            // The store's log has a hole: nothing will ever fill it, so go on after it.
            spdlog::warn("fan-out: {} jumps from user_seq {} to {} in the store", st->user.str(),
                         st->cursor, event.user_seq);
          }
          st->cursor = event.user_seq;
          self.handlers.deliver(st->app, st->user, event);
        }
        const bool progress = st->cursor > after;
        if (page->size() == limit || st->again) {
          self.Fill(st);
        } else if (st->want > st->cursor) {
          // Announced but not yet readable (a lagging store): try again shortly, not in a loop.
          if (progress)
            self.Fill(st);
          else
            self.RetryLater(st, [](Impl& s, std::shared_ptr<UserState> u) { s.Fill(u); });
        }
      });
    });
  }

  void OnEvent(const std::shared_ptr<UserState>& st, UserEvent event) {
    if (st->ready && event.user_seq <= st->cursor) return;  // a repeat
    const bool renderable = event.change.op != ChangeOp::kCreate || event.objects;
    if (st->ready && !st->busy && event.user_seq == st->cursor + 1 && renderable) {
      st->cursor = event.user_seq;
      handlers.deliver(st->app, st->user, event);
      return;
    }
    if (event.user_seq > st->want) st->want = event.user_seq;
    Fill(st);
  }

  void OnCommitted(const AppId& app, const std::shared_ptr<const WriteResult>& result) {
    // One payload per recipient and write, its changes in commit order.
    std::map<UserId, json::array> per_user;
    for (const auto& change : result->changes) {
      if (change.user_seqs.size() != change.recipients.size()) {
        spdlog::error("fan-out: change {} has {} user_seqs for {} recipients; not relayed",
                      change.seq, change.user_seqs.size(), change.recipients.size());
        continue;
      }
      for (size_t i = 0; i < change.recipients.size(); ++i) {
        const UserId& user = change.recipients[i];
        per_user[user].push_back(ChangeJson(change, change.user_seqs[i]));
        if (auto st = Find(Channel(app, user))) {
          UserEvent event;
          event.user_seq = change.user_seqs[i];
          event.change = change;
          event.objects = result;
          OnEvent(st, std::move(event));
        }
      }
    }
    for (auto& [user, changes] : per_user) {
      json::object payload;
      payload["n"] = node_id;
      payload["c"] = std::move(changes);
      Publish(Channel(app, user), json::serialize(payload));
    }
  }

  void Publish(std::string channel, std::string payload) {
    bus->Publish(std::move(channel), std::move(payload), [](Result<std::int64_t> r) {
      // The receivers notice the jump with the user's next change, or fill on resubscribe.
      if (!r.ok()) spdlog::warn("fan-out: a publish failed: {}", r.status().message());
    });
  }

  void OnMessage(const std::string& channel, const std::string& payload) {
    auto st = Find(channel);
    if (!st) return;
    boost::system::error_code ec;
    json::value v = json::parse(payload, ec);
    if (ec || !v.is_object()) {
      spdlog::warn("fan-out: ignoring a malformed payload on {}", channel);
      return;
    }
    const auto& o = v.as_object();
    if (auto* n = o.if_contains("n"); n && n->is_string() && n->as_string() == node_id) {
      return;  // ours: delivered here when it committed or was signalled
    }
    if (auto* g = o.if_contains("g"); g && g->is_string()) {
      int64_t ts = 0;
      ReadInt(o, "t", ts);
      handlers.signal(st->app, st->user, std::string(g->as_string()), ts);
      return;
    }
    auto* changes = o.if_contains("c");
    if (!changes || !changes->is_array()) return;
    for (const auto& c : changes->as_array()) {
      UserEvent event;
      if (!ParseChange(c, event)) {
        spdlog::warn("fan-out: ignoring a malformed change on {}", channel);
        continue;
      }
      event.change.recipients = {st->user};
      event.change.user_seqs = {event.user_seq};
      OnEvent(st, std::move(event));
    }
  }

  void OnResubscribed(const std::vector<std::string>& channels) {
    for (const auto& channel : channels) {
      if (auto st = Find(channel)) Fill(st);
    }
  }
};

NodeFanout::NodeFanout(asio::any_io_executor executor, asio::any_io_executor bus_executor,
                       asio::thread_pool& blocking, UserLog& log, NodeFanoutOptions options,
                       NodeFanoutHandlers handlers)
    : impl_(std::make_shared<Impl>(std::move(executor), blocking, log, options,
                                   std::move(handlers))) {
  std::weak_ptr<Impl> weak = impl_;
  RedisBusHandlers bus_handlers;
  bus_handlers.on_message = [weak](std::string_view channel, std::string_view payload) {
    auto self = weak.lock();
    if (!self) return;
    self->Post(
        [c = std::string(channel), p = std::string(payload)](Impl& s) { s.OnMessage(c, p); });
  };
  bus_handlers.on_resubscribed = [weak](const std::vector<std::string>& channels) {
    auto self = weak.lock();
    if (!self) return;
    self->Post([channels](Impl& s) { s.OnResubscribed(channels); });
  };
  impl_->bus = std::make_unique<RedisBus>(std::move(bus_executor), std::move(options.redis),
                                          std::move(bus_handlers));
}

NodeFanout::~NodeFanout() { Stop(); }

void NodeFanout::UserConnected(const AppId& app, const UserId& user) {
  impl_->Post([app, user](Impl& s) { s.Connected(app, user); });
}

void NodeFanout::UserDisconnected(const AppId& app, const UserId& user) {
  impl_->Post([app, user](Impl& s) { s.Disconnected(app, user); });
}

void NodeFanout::Committed(const AppId& app, std::shared_ptr<const WriteResult> result) {
  impl_->Post([app, result = std::move(result)](Impl& s) { s.OnCommitted(app, result); });
}

void NodeFanout::Signal(const AppId& app, const std::vector<UserId>& users, std::string body_json,
                        TimeMs ts) {
  impl_->Post([app, users, body = std::move(body_json), ts](Impl& s) {
    json::object payload;
    payload["n"] = s.node_id;
    payload["g"] = body;
    payload["t"] = ts;
    std::string text = json::serialize(payload);
    for (const auto& user : users) s.Publish(Channel(app, user), text);
  });
}

void NodeFanout::Stop() {
  // The bus first (it stops calling in), then this object's own handlers.
  impl_->stopped = true;
  impl_->bus->Stop();
}

}  // namespace relayer::fanout
