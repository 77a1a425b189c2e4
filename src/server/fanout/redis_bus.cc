#include "server/fanout/redis_bus.h"

#include <hiredis/hiredis.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <charconv>
#include <deque>
#include <map>
#include <set>

#include "server/fanout/resp_link.h"

namespace relayer::fanout {
namespace asio = boost::asio;

namespace {

std::string_view Str(const redisReply& r) {
  return r.str ? std::string_view(r.str, r.len) : std::string_view();
}

// A pub/sub push: ["message", channel, payload] or ["subscribe"|"unsubscribe", channel, count].
bool IsPush(const redisReply& r, std::string_view kind) {
  return r.type == REDIS_REPLY_ARRAY && r.elements == 3 &&
         r.element[0]->type == REDIS_REPLY_STRING && Str(*r.element[0]) == kind;
}

}  // namespace

Result<RedisBusOptions> RedisBusOptions::FromAddress(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size()) {
    return InvalidRequest("redis address must be host:port");
  }
  std::string_view host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = address.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return InvalidRequest("redis address has a bad port");
  }
  RedisBusOptions o;
  o.host = std::string(host);
  o.port = static_cast<std::uint16_t>(port);
  return o;
}

struct RedisBus::Impl : std::enable_shared_from_this<Impl> {
  RespLink::Strand strand;
  RedisBusHandlers handlers;
  std::shared_ptr<RespLink> pub, sub;
  std::atomic<bool> stopped{false};
  size_t max_pending_publishes = 0;

  struct PendingPublish {
    std::string command;  // kept until answered, to send again after a lost connection
    std::function<void(Result<std::int64_t>)> done;
  };
  std::deque<PendingPublish> pub_unsent;   // waiting for the publisher connection
  std::deque<PendingPublish> pub_waiting;  // sent, answers come back in this order
  std::set<std::string> channels;          // what we want
  std::map<std::string, std::vector<std::function<void()>>> sub_waiting;
  bool sub_was_connected = false;
  bool gap_open = false;  // lost the subscriber; on_resubscribed is owed
  // SUBSCRIBEs sent on this connection and not confirmed yet, per channel. A waiter fires only
  // at zero, so an older confirmation never vouches for a newer SUBSCRIBE.
  std::map<std::string, int> in_flight;

  explicit Impl(asio::any_io_executor ex) : strand(asio::make_strand(ex)) {}

  void Init(const RedisBusOptions& o) {
    max_pending_publishes = o.max_pending_publishes;
    RespLinkOptions lo{o.host,      o.port, o.connect_timeout, o.min_backoff, o.max_backoff,
                       o.keepalive, {}};
    RespLinkOptions pub_options = lo, sub_options = lo;
    if (!o.client_name.empty()) {
      pub_options.client_name = o.client_name + "-pub";
      sub_options.client_name = o.client_name + "-sub";
    }
    // Links hold weak references: the bus owns them, not the other way round.
    std::weak_ptr<Impl> weak = weak_from_this();
    pub = std::make_shared<RespLink>(strand, pub_options,
                                     RespLink::Hooks{[weak] {
                                                       if (auto self = weak.lock())
                                                         self->OnPublisherConnected();
                                                     },
                                                     [weak](const redisReply& r) {
                                                       if (auto self = weak.lock())
                                                         self->OnPublishReply(r);
                                                     },
                                                     [weak](const Status&) {
                                                       if (auto self = weak.lock())
                                                         self->OnPublisherLost();
                                                     }});
    sub = std::make_shared<RespLink>(strand, sub_options,
                                     RespLink::Hooks{[weak] {
                                                       if (auto self = weak.lock())
                                                         self->OnSubscriberConnected();
                                                     },
                                                     [weak](const redisReply& r) {
                                                       if (auto self = weak.lock())
                                                         self->OnSubscriberReply(r);
                                                     },
                                                     [weak](const Status&) {
                                                       if (auto self = weak.lock())
                                                         self->OnSubscriberLost();
                                                     }});
    pub->Start();
    sub->Start();
  }

  // ---- publisher ---------------------------------------------------------------------------

  void Publish(std::string channel, std::string payload,
               std::function<void(Result<std::int64_t>)> done) {
    if (stopped) return;
    if (pub_unsent.size() + pub_waiting.size() >= max_pending_publishes) {
      // Redis is slow or away; buffering more would only grow memory without bound.
      if (done) done(Status(ErrorCode::kServiceUnavailable, "redis: too many publishes waiting"));
      return;
    }
    PendingPublish p{RespLink::Format({"PUBLISH", channel, payload}), std::move(done)};
    if (pub_unsent.empty() && pub->Send(p.command)) {
      pub_waiting.push_back(std::move(p));
    } else {
      pub_unsent.push_back(std::move(p));  // OnPublisherConnected sends it, in order
    }
  }

  void OnPublisherConnected() {
    while (!pub_unsent.empty()) {
      if (!pub->Send(pub_unsent.front().command)) return;
      pub_waiting.push_back(std::move(pub_unsent.front()));
      pub_unsent.pop_front();
    }
  }

  void OnPublishReply(const redisReply& r) {
    if (pub_waiting.empty()) return;  // an answer we did not ask for; nothing to match it to
    auto done = std::move(pub_waiting.front().done);
    pub_waiting.pop_front();
    if (!done || stopped) return;
    if (r.type == REDIS_REPLY_INTEGER) {
      done(static_cast<std::int64_t>(r.integer));
    } else {
      done(Internal("redis: PUBLISH failed: " + std::string(Str(r))));
    }
  }

  // Unanswered publishes may or may not have reached Redis. They go out again after the
  // reconnect, ahead of the unsent ones: at least once, in order. Receivers drop repeats by
  // user_seq.
  void OnPublisherLost() {
    while (!pub_waiting.empty()) {
      pub_unsent.push_front(std::move(pub_waiting.back()));
      pub_waiting.pop_back();
    }
  }

  // ---- subscriber --------------------------------------------------------------------------

  void Subscribe(std::string channel, std::function<void()> done) {
    if (stopped) return;
    if (done) sub_waiting[channel].push_back(std::move(done));
    if (!channels.insert(channel).second) {
      // Already subscribed: confirmed unless a SUBSCRIBE for it is still in flight.
      if (sub->connected() && !in_flight.count(channel)) FireSubscribed(channel);
      return;
    }
    const std::string cmd = RespLink::Format({"SUBSCRIBE", channel});
    // When down, the reconnect subscribes everything in `channels`.
    if (sub->Send(cmd)) ++in_flight[channel];
  }

  void Unsubscribe(std::string channel) {
    if (stopped || channels.erase(channel) == 0) return;
    sub_waiting.erase(channel);
    const std::string cmd = RespLink::Format({"UNSUBSCRIBE", channel});
    sub->Send(cmd);
  }

  void OnSubscriberConnected() {
    if (sub_was_connected) gap_open = true;
    sub_was_connected = true;
    in_flight.clear();
    if (!channels.empty()) {
      std::vector<std::string_view> args{"SUBSCRIBE"};
      for (const auto& c : channels) {
        args.push_back(c);
        in_flight[c] = 1;
      }
      sub->Send(RespLink::Format(args));
    }
    MaybeReportGapClosed();
  }

  void OnSubscriberLost() { in_flight.clear(); }

  void OnSubscriberReply(const redisReply& r) {
    if (stopped) return;
    if (IsPush(r, "message")) {
      const std::string_view channel = Str(*r.element[1]);
      // A channel we dropped may still have messages in flight from Redis; they are not ours.
      if (channels.count(std::string(channel)) && handlers.on_message) {
        handlers.on_message(channel, Str(*r.element[2]));
      }
    } else if (IsPush(r, "subscribe")) {
      const std::string channel(Str(*r.element[1]));
      auto it = in_flight.find(channel);
      if (it != in_flight.end() && --it->second <= 0) in_flight.erase(it);
      if (channels.count(channel) && !in_flight.count(channel)) FireSubscribed(channel);
      MaybeReportGapClosed();
    }
    // "unsubscribe" confirmations need nothing: delivery stopped when Unsubscribe ran.
  }

  void FireSubscribed(const std::string& channel) {
    auto it = sub_waiting.find(channel);
    if (it == sub_waiting.end()) return;
    auto waiting = std::move(it->second);
    sub_waiting.erase(it);
    for (auto& done : waiting) {
      if (!stopped) done();
    }
  }

  void MaybeReportGapClosed() {
    if (!gap_open || !in_flight.empty() || !sub->connected() || stopped) return;
    gap_open = false;
    std::vector<std::string> list(channels.begin(), channels.end());
    if (handlers.on_resubscribed) handlers.on_resubscribed(list);
  }

  void Stop() {
    pub_unsent.clear();
    pub_waiting.clear();
    sub_waiting.clear();
    pub->Stop();
    sub->Stop();
  }
};

RedisBus::RedisBus(asio::any_io_executor executor, RedisBusOptions options,
                   RedisBusHandlers handlers)
    : impl_(std::make_shared<Impl>(executor)) {
  impl_->handlers = std::move(handlers);
  auto impl = impl_;
  asio::post(impl->strand, [impl, options = std::move(options)] { impl->Init(options); });
}

RedisBus::~RedisBus() { Stop(); }

void RedisBus::Publish(std::string channel, std::string payload,
                       std::function<void(Result<std::int64_t>)> done) {
  auto impl = impl_;
  asio::post(impl->strand,
             [impl, c = std::move(channel), p = std::move(payload), d = std::move(done)]() mutable {
               impl->Publish(std::move(c), std::move(p), std::move(d));
             });
}

void RedisBus::Subscribe(std::string channel, std::function<void()> done) {
  auto impl = impl_;
  asio::post(impl->strand, [impl, c = std::move(channel), d = std::move(done)]() mutable {
    impl->Subscribe(std::move(c), std::move(d));
  });
}

void RedisBus::Unsubscribe(std::string channel) {
  auto impl = impl_;
  asio::post(impl->strand,
             [impl, c = std::move(channel)]() mutable { impl->Unsubscribe(std::move(c)); });
}

void RedisBus::Stop() {
  if (impl_->stopped.exchange(true)) return;
  auto impl = impl_;
  asio::post(impl->strand, [impl] { impl->Stop(); });
}

}  // namespace relayer::fanout
