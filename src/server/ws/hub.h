// Who is connected: the open WebSocket sessions of every (app, user), and delivery of committed
// changes and signals to them. Safe for concurrent use from any thread. Publish must be called in
// commit order (the server calls it from one fan-out strand), which keeps each user's packets in
// commit order.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
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
  virtual void Send(std::string type, std::string body_json, TimeMs timestamp) = 0;
  virtual const std::string& base_url() const = 0;
};

class Hub {
 public:
  // Signs rich content download links in rendered messages; set once before serving (not owned).
  void SetContentLinks(const ContentLinks* links) { links_ = links; }
  void Add(const AppId& app, const UserId& user, std::shared_ptr<PacketSink> sink);
  void Remove(const AppId& app, const UserId& user, const PacketSink* sink);
  std::vector<std::shared_ptr<PacketSink>> SinksOf(const AppId& app, const UserId& user) const;
  size_t connections() const;
  // Whether `user` has at least one open socket (decides whether a push notification is owed).
  bool IsConnected(const AppId& app, const UserId& user) const;

  // Renders and queues the change packets of one committed write.
  void Publish(const AppId& app, const WriteResult& result);
  // Queues a signal body to every connection of `users`.
  void Signal(const AppId& app, const std::vector<UserId>& users, const std::string& body_json,
              TimeMs now, const PacketSink* except = nullptr);

 private:
  const ContentLinks* links_ = nullptr;
  mutable std::mutex mu_;
  std::map<std::pair<AppId, UserId>, std::vector<std::weak_ptr<PacketSink>>> sinks_;
  size_t count_ = 0;
};

}  // namespace relayer::server
