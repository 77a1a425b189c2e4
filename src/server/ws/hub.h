// Who is connected: the open WebSocket sessions of every (app, user), and delivery of committed
// changes and signals to them. Safe for concurrent use from any thread. Publish must be called in
// commit order (the server calls it from one fan-out strand), which keeps each user's packets in
// commit order.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/model.h"
#include "core/representation.h"
#include "store/store.h"

namespace relayer::server {

// What the hub needs of a connection; implemented by WsSession.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  // Queues a packet; thread-safe, never blocks. The connection adds counter and timestamp.
  // Called on the connection's own thread, it queues at once (no copy beyond the frame).
  virtual void Send(std::string_view type, std::string_view body_json, TimeMs timestamp) = 0;
  virtual const std::string& base_url() const = 0;
};

// Hooks of the fan-out between nodes (server/fanout/node_fanout.h); all optional. They are
// called on the thread that adds, removes or signals, the connection hooks under the hub's lock
// (so they alternate per user in the order the hub saw them): they must only post.
struct HubHooks {
  std::function<void(const AppId&, const UserId&)> first_connection;  // of the user on this node
  std::function<void(const AppId&, const UserId&)> last_connection;
  // After Signal queued `body_json` to this node's sockets of `users`.
  std::function<void(const AppId&, const std::vector<UserId>&, const std::string&, TimeMs)>
      signalled;
};

class Hub {
 public:
  // Set once before serving.
  void SetHooks(HubHooks hooks) { hooks_ = std::move(hooks); }
  // Signs rich content download links in rendered messages; set once before serving (not owned).
  void SetContentLinks(const ContentLinks* links) { links_ = links; }
  void Add(const AppId& app, const UserId& user, std::shared_ptr<PacketSink> sink);
  void Remove(const AppId& app, const UserId& user, const PacketSink* sink);
  std::vector<std::shared_ptr<PacketSink>> SinksOf(const AppId& app, const UserId& user) const;
  // The same into `out` (cleared first), so a caller looking up many users reuses one vector.
  void SinksOf(const AppId& app, const UserId& user,
               std::vector<std::shared_ptr<PacketSink>>& out) const;
  size_t connections() const;
  // Whether `user` has at least one open socket (decides whether a push notification is owed).
  bool IsConnected(const AppId& app, const UserId& user) const;

  // Renders and queues the change packets of one committed write.
  void Publish(const AppId& app, const WriteResult& result);
  // Renders and queues one change for one user's connections (the fan-out between nodes calls
  // it in that user's user_seq order). `objects` holds the conversation or message a create
  // renders; without it a create queues nothing.
  void PublishTo(const AppId& app, const UserId& user, const Change& change,
                 const WriteResult& objects);
  // Queues a signal body to every connection of `users`, then calls HubHooks::signalled.
  void Signal(const AppId& app, const std::vector<UserId>& users, const std::string& body_json,
              TimeMs now, const PacketSink* except = nullptr);
  // Queues a signal body to every connection of `user` on this node only (from another node).
  void SignalLocal(const AppId& app, const UserId& user, const std::string& body_json, TimeMs ts);

 private:
  const ContentLinks* links_ = nullptr;
  HubHooks hooks_;
  mutable std::mutex mu_;
  // Looked up by reference: a lookup copies neither id.
  struct KeyRef {
    const AppId& app;
    const UserId& user;
  };
  struct KeyLess {
    using is_transparent = void;
    using Key = std::pair<AppId, UserId>;
    bool operator()(const Key& a, const Key& b) const { return a < b; }
    bool operator()(const KeyRef& a, const Key& b) const {
      return std::tie(a.app, a.user) < std::tie(b.first, b.second);
    }
    bool operator()(const Key& a, const KeyRef& b) const {
      return std::tie(a.first, a.second) < std::tie(b.app, b.user);
    }
  };
  std::map<std::pair<AppId, UserId>, std::vector<std::weak_ptr<PacketSink>>, KeyLess> sinks_;
  size_t count_ = 0;
};

}  // namespace relayer::server
