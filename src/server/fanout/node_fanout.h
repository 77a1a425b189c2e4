// NodeFanout: real-time events between Relayer nodes that share one store (issue 7,
// docs/scaling.md). It sits between the store's committed writes, the node's own sockets and
// Redis (RedisBus):
//
// - After a write commits on this node, Committed() publishes, on each recipient's channel
//   `relayer:{app}:u:{user}`, that recipient's changes with their user_seq (a notification, not
//   the rendered objects: see the payload below).
// - The node subscribes to a user's channel when the user's first socket opens here
//   (UserConnected) and unsubscribes when the last one closes (UserDisconnected). Once Redis has
//   confirmed the subscription it reads the user's UserSeqHead and starts the user's cursor there.
// - Per (app, user) cursor: a change with user_seq == cursor + 1 whose rendering is at hand (an
//   update or delete, or any change committed on this node, which carries its written objects)
//   is delivered at once and the cursor advances; user_seq <= cursor is a repeat and dropped;
//   anything else (a jump, or a create committed elsewhere, whose object only the store has) is
//   filled from the store: UserLog::After on the blocking pool, delivered in user_seq order.
//   on_resubscribed (Redis came back) fills every connected user the same way. So nothing is
//   delivered twice or out of order per user, and Redis only makes delivery faster.
// - Signals (typing indicators) go on the same channels with no sequence and are not stored;
//   a node ignores the signals it published itself (it delivered them locally already).
//
// Payload (JSON): {"n": node id, "c": [change...]} or {"n": node id, "g": signal body, "t": ms}.
// A change is {"u": user_seq, "s": seq, "t": ts, "o": op, "y": type, "i": object_id,
// "v": conversation_id, "d": data_json}; op and type are the enum values of core/model.h.
//
// Threading: every public method may be called from any thread; the state lives on `executor`
// (give it a strand or a one-thread pool), where Committed must be called, or posted, in commit
// order. Handlers run there, one at a time. Store reads run on `blocking`. Stop() before
// destroying, then let or make `executor` and `blocking` finish (completions check nothing
// after the object is gone).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model.h"
#include "server/fanout/redis_bus.h"
#include "store/store.h"

namespace relayer::fanout {

// One change of a user's log, with what renders it when at hand.
struct UserEvent {
  int64_t user_seq = 0;
  Change change;
  // For a create: the written conversation or message (as any viewer's rendering needs it).
  // Null when not at hand; a create without it renders nothing (the object is gone).
  std::shared_ptr<const WriteResult> objects;
};

// What the fan-out reads from the shared store; called on the blocking pool.
class UserLog {
 public:
  virtual ~UserLog() = default;
  virtual Result<int64_t> Head(const AppId& app, const UserId& user) = 0;
  // The user's changes with user_seq > after, oldest first, at most `limit`, creates with their
  // objects as `user` sees them (none when no longer visible).
  virtual Result<std::vector<UserEvent>> After(const AppId& app, const UserId& user, int64_t after,
                                               size_t limit) = 0;
};

// UserLog over Store::UserSeqHead / UserChangesAfter and the Get* reads (as Event.replay reads).
class StoreUserLog : public UserLog {
 public:
  explicit StoreUserLog(Store& store) : store_(store) {}
  Result<int64_t> Head(const AppId& app, const UserId& user) override;
  Result<std::vector<UserEvent>> After(const AppId& app, const UserId& user, int64_t after,
                                       size_t limit) override;

 private:
  Store& store_;
};

struct NodeFanoutHandlers {
  // One change for the user's local sockets, in user_seq order, never twice.
  std::function<void(const AppId&, const UserId&, const UserEvent&)> deliver;
  // A signal another node relayed to the user.
  std::function<void(const AppId&, const UserId&, const std::string& body_json, TimeMs ts)> signal;
  // Optional: the user's subscription is confirmed and the cursor starts at `head`; every change
  // above it will be delivered (tests wait for it).
  std::function<void(const AppId&, const UserId&, int64_t head)> ready;
};

struct NodeFanoutOptions {
  RedisBusOptions redis;
  size_t fill_page = 500;                // changes one store read fills
  std::chrono::milliseconds retry{500};  // after a failed store read
};

class NodeFanout {
 public:
  NodeFanout(boost::asio::any_io_executor executor, boost::asio::any_io_executor bus_executor,
             boost::asio::thread_pool& blocking, UserLog& log, NodeFanoutOptions options,
             NodeFanoutHandlers handlers);
  ~NodeFanout();  // Stop()
  NodeFanout(const NodeFanout&) = delete;
  NodeFanout& operator=(const NodeFanout&) = delete;

  // The user's first socket opened on this node / the last one closed (calls pair up per user).
  void UserConnected(const AppId& app, const UserId& user);
  void UserDisconnected(const AppId& app, const UserId& user);
  // A write committed on this node; in commit order.
  void Committed(const AppId& app, std::shared_ptr<const WriteResult> result);
  // Relays a signal to `users` on other nodes (this node's sockets already have it).
  void Signal(const AppId& app, const std::vector<UserId>& users, std::string body_json, TimeMs ts);
  // Stops the bus; no handler starts after this returns (one already running finishes).
  void Stop();

  static std::string Channel(const AppId& app, const UserId& user);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace relayer::fanout
