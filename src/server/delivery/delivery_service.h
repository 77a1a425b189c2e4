// Delivers webhooks and push notifications from the store's durable outbox.
//
// Writes record DeliveryEvents in their own transaction (store.h). The service turns pending
// events into deliveries (one per subscribed active webhook; one per push token of each recipient
// who has no open socket) and consumes the events in one write (ScheduleDeliveriesOp), then makes
// the requests: one at a time per queue (a webhook, or one user's pushes), in order, retrying
// failures with exponential backoff. A webhook that fails for longer than its retry period becomes
// inactive; a push that does, is dropped. After a restart, Start() resumes from the store, so
// nothing committed is lost; a request may be repeated (same request id) after a crash. On a store
// that several nodes share, the outbox is read again every outbox_poll_ms, and only the node that
// holds the outbox reads anything (docs/scaling.md).
//
// All state lives on one strand of the given io_context; store reads run on the blocking pool.
// Poke, Kick and Verify are thread-safe. Destroy only after the io_context has stopped.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <string>

#include "core/delivery.h"
#include "store/store.h"

namespace relayer::server {

struct DeliveryOptions {
  std::string base_url;                              // base of `url` fields in payloads
  std::string push_url;                              // the push provider webhook; empty: no push
  std::string push_secret;                           // signs push bodies when set
  int64_t timeout_ms = 5000;                         // per request
  int64_t retry_initial_ms = 1000;                   // first retry after this long, then doubling
  int64_t retry_max_ms = 60000;                      // longest wait between two attempts
  int64_t webhook_retry_period_ms = 30 * 60 * 1000;  // then the webhook becomes inactive
  int64_t push_retry_period_ms = 60 * 60 * 1000;     // then the push is dropped
  size_t max_in_flight = 16;                         // queues sending at the same time
  size_t batch = 500;                                // events scheduled per write
  size_t max_webhooks_per_app = 100;  // Platform API registrations (config-file ones aside)
  // With a store other nodes write too (Store::SharesOutbox): how often pending events and queues
  // are read again without a poke (their writes poke only their own node). 0: never.
  int64_t outbox_poll_ms = 1000;
};

class DeliveryService {
 public:
  using Connected = std::function<bool(const AppId&, const UserId&)>;
  using Clock = std::function<TimeMs()>;

  DeliveryService(Store& store, boost::asio::thread_pool& blocking, boost::asio::io_context& io,
                  Connected connected, DeliveryOptions options, Clock clock);
  ~DeliveryService();

  // Resumes pending events, queues and webhook verifications from the store.
  void Start();
  // New events were committed.
  void Poke();
  // `queue` may have new work (deliveries scheduled, webhook activated).
  void Kick(const std::string& queue);
  const DeliveryOptions& options() const;
  // Sends the verification challenge of an unverified webhook; active when echoed, else inactive.
  void Verify(const Webhook& webhook);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace relayer::server
