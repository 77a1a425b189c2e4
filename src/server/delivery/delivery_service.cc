#include "server/delivery/delivery_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <map>
#include <set>

#include "server/async.h"
#include "server/auth/crypto.h"
#include "server/delivery/http_client.h"
#include "server/delivery/payloads.h"

namespace relayer::server {
namespace asio = boost::asio;

struct DeliveryService::Impl : std::enable_shared_from_this<Impl> {
  Store& store;
  asio::thread_pool& blocking;
  asio::strand<asio::io_context::executor_type> strand;
  Connected connected;
  DeliveryOptions options;
  Clock clock;

  // Strand state.
  bool fanout_running = false;
  bool fanout_again = false;
  std::deque<std::string> ready;
  std::set<std::string> queued;                                        // in `ready`
  std::set<std::string> running;                                       // a worker is on it
  std::set<std::string> rekick;                                        // kicked while running
  std::map<std::string, std::shared_ptr<asio::steady_timer>> waiting;  // backing off

  Impl(Store& s, asio::thread_pool& b, asio::io_context& io, Connected c, DeliveryOptions o,
       Clock k)
      : store(s),
        blocking(b),
        strand(asio::make_strand(io)),
        connected(std::move(c)),
        options(std::move(o)),
        clock(std::move(k)) {}

  void Spawn(asio::awaitable<void> work) {
    asio::co_spawn(strand, std::move(work), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("delivery: {}", ex.what());
      }
    });
  }

  // ---- Scheduling events into deliveries --------------------------------------------------

  void PokeOnStrand() {
    fanout_again = true;
    if (fanout_running) return;
    fanout_running = true;
    Spawn(FanOut(shared_from_this()));
  }

  static asio::awaitable<void> FanOut(std::shared_ptr<Impl> self) {
    while (self->fanout_again) {
      self->fanout_again = false;
      for (;;) {
        auto more_aw = self->ScheduleBatch();
        bool more = co_await std::move(more_aw);
        if (!more) break;
      }
    }
    self->fanout_running = false;
  }

  // Schedules one batch of pending events; true when a full batch was done (maybe more wait).
  asio::awaitable<bool> ScheduleBatch() {
    const size_t batch = options.batch;
    auto events_aw =
        RunBlocking(blocking, [this, batch] { return store.PendingDeliveryEvents(batch); });
    auto events = co_await std::move(events_aw);
    if (!events.ok()) {
      spdlog::error("delivery: reading events: {}", events.status().message());
      RetryFanOutLater();
      co_return false;
    }
    if (events->empty()) co_return false;
    ScheduleDeliveriesOp op;
    op.through_seq = events->back().seq;
    for (const DeliveryEvent& e : *events) op.event_seqs.push_back(e.seq);
    std::map<AppId, std::vector<Webhook>> webhooks;
    for (const DeliveryEvent& e : *events) {
      if (!webhooks.count(e.app)) {
        auto list_aw =
            RunBlocking(blocking, [this, app = e.app] { return store.ListWebhooks(app); });
        auto list = co_await std::move(list_aw);
        if (!list.ok()) {
          RetryFanOutLater();
          co_return false;
        }
        webhooks[e.app] = std::move(*list);
      }
      AddWebhookDeliveries(e, webhooks[e.app], op);
      auto push_aw = AddPushDeliveries(e, op);
      if (Status s = co_await std::move(push_aw); !s.ok()) {
        RetryFanOutLater();
        co_return false;
      }
    }
    auto written_aw = Write(store, std::move(op));
    auto written = co_await std::move(written_aw);
    if (written.status.code() == ErrorCode::kConflict) {
      // Another node scheduled some of these events (it held the outbox): read again.
      spdlog::info("delivery: events were scheduled elsewhere; reading again");
      co_return true;
    }
    if (!written.status.ok()) {
      spdlog::error("delivery: scheduling: {}", written.status.message());
      RetryFanOutLater();
      co_return false;
    }
    for (const auto& q : written.queues) KickOnStrand(q);
    co_return events->size() == batch;
  }

  void RetryFanOutLater() {
    auto timer = std::make_shared<asio::steady_timer>(strand, std::chrono::seconds(1));
    timer->async_wait([self = shared_from_this(), timer](boost::system::error_code ec) {
      if (!ec) self->PokeOnStrand();
    });
  }

  Delivery NewDelivery(const DeliveryEvent& e, std::string queue, std::string body) {
    Delivery d;
    d.app = e.app;
    d.queue = std::move(queue);
    d.request_id = RandomUuid();
    d.event_type = e.type;
    d.body = std::move(body);
    d.created_at = clock();
    d.next_attempt_at = d.created_at;
    return d;
  }

  void AddWebhookDeliveries(const DeliveryEvent& e, const std::vector<Webhook>& hooks,
                            ScheduleDeliveriesOp& op) {
    if (e.type == kNotificationEvent) return;
    const std::string event_id = RandomUuid();  // the same for every webhook of the event
    for (const Webhook& w : hooks) {
      if (w.status != WebhookStatus::kActive) continue;
      if (std::find(w.events.begin(), w.events.end(), e.type) == w.events.end()) continue;
      op.deliveries.push_back(NewDelivery(e, w.id, WebhookBody(e, event_id, w, options.base_url)));
    }
  }

  asio::awaitable<Status> AddPushDeliveries(const DeliveryEvent& e, ScheduleDeliveriesOp& op) {
    if (options.push_url.empty()) co_return Status::Ok();
    std::vector<UserId> recipients;
    const boost::json::object* notification = nullptr;
    if (e.type == kNotificationEvent) {
      recipients = e.recipients;  // no message to see on a socket: every device gets it
      notification = &e.notification;
    } else if (e.type == "message.sent" && e.message && e.message->notification) {
      notification = &*e.message->notification;
      for (const auto& [user, state] : e.message->recipient_status) {
        if (e.message->sender.user_id && user == *e.message->sender.user_id) continue;
        if (connected && connected(e.app, user)) continue;  // it arrives on the socket
        recipients.push_back(user);
      }
    }
    if (recipients.empty() || !notification) co_return Status::Ok();
    auto tokens_aw = RunBlocking(
        blocking, [this, app = e.app, recipients] { return store.PushTokens(app, recipients); });
    auto tokens = co_await std::move(tokens_aw);
    if (!tokens.ok()) co_return tokens.status();
    const Message* message = e.message ? &*e.message : nullptr;
    for (const PushToken& t : *tokens) {
      op.deliveries.push_back(
          NewDelivery(e, PushQueue(t.user_id),
                      PushBody(e.app, t, NotificationFor(*notification, t.user_id), message)));
    }
    co_return Status::Ok();
  }

  // ---- Sending ------------------------------------------------------------------------------

  void KickOnStrand(const std::string& queue) {
    if (running.count(queue)) {
      rekick.insert(queue);
      return;
    }
    if (auto it = waiting.find(queue); it != waiting.end()) {
      it->second->cancel();
      waiting.erase(it);
    }
    if (queued.insert(queue).second) ready.push_back(queue);
    Pump();
  }

  void Pump() {
    while (running.size() < std::max<size_t>(1, options.max_in_flight) && !ready.empty()) {
      std::string q = std::move(ready.front());
      ready.pop_front();
      queued.erase(q);
      running.insert(q);
      Spawn(RunQueue(shared_from_this(), q));
    }
  }

  void WaitUntil(const std::string& queue, TimeMs due) {
    const TimeMs delay = std::max<TimeMs>(0, due - clock());
    auto timer = std::make_shared<asio::steady_timer>(strand, std::chrono::milliseconds(delay));
    waiting[queue] = timer;
    timer->async_wait([self = shared_from_this(), queue, timer](boost::system::error_code ec) {
      if (ec) return;  // cancelled by a kick
      auto it = self->waiting.find(queue);
      if (it == self->waiting.end() || it->second != timer) return;
      self->waiting.erase(it);
      self->KickOnStrand(queue);
    });
  }

  static asio::awaitable<void> RunQueue(std::shared_ptr<Impl> self, std::string queue) {
    auto work = self->DrainQueue(queue);
    co_await std::move(work);
    self->running.erase(queue);
    if (self->rekick.erase(queue) && !self->waiting.count(queue)) {
      if (self->queued.insert(queue).second) self->ready.push_back(queue);
    }
    self->Pump();
  }

  // Sends the queue's deliveries in order until it is empty, paused or backing off.
  asio::awaitable<void> DrainQueue(const std::string& queue) {
    for (;;) {
      rekick.erase(queue);  // this read sees everything committed so far
      auto head_aw = RunBlocking(blocking, [this, queue] { return store.NextDelivery(queue); });
      auto head = co_await std::move(head_aw);
      if (!head.ok()) {
        spdlog::error("delivery: reading queue {}: {}", queue, head.status().message());
        WaitUntil(queue, clock() + 1000);
        co_return;
      }
      if (!*head) co_return;
      Delivery d = std::move(**head);
      const bool push = IsPushQueue(queue);
      if ((!push && !d.webhook) || (push && options.push_url.empty())) {
        auto drop_aw = Finish(d.id, AttemptOutcome::kDrop, 0, "no target");
        co_await std::move(drop_aw);
        continue;
      }
      if (!push && d.webhook->status != WebhookStatus::kActive) co_return;  // until activated
      if (d.next_attempt_at > clock()) {
        WaitUntil(queue, d.next_attempt_at);
        co_return;
      }
      auto request = Request(d);
      auto send_aw = SendOutbound(std::move(request));
      OutboundReply reply = co_await std::move(send_aw);
      const TimeMs now = clock();
      if (reply.ok()) {
        auto done_aw = Finish(d.id, AttemptOutcome::kDelivered, 0, "");
        co_await std::move(done_aw);
        continue;
      }
      std::string error =
          reply.status ? "HTTP " + std::to_string(reply.status) : "no answer: " + reply.error;
      const TimeMs first = d.first_attempt_at.value_or(now);
      const int64_t period = push ? options.push_retry_period_ms : options.webhook_retry_period_ms;
      if (now - first >= period) {
        const auto outcome = push ? AttemptOutcome::kDrop : AttemptOutcome::kPauseWebhook;
        spdlog::warn("delivery: giving up on queue {} after {} attempts: {}", queue, d.attempts + 1,
                     error);
        std::string reason = "Deliveries failed for the retry period (last: " + error + ")";
        auto give_up_aw = Finish(d.id, outcome, now, std::move(reason));
        co_await std::move(give_up_aw);
        if (!push) co_return;
        continue;
      }
      int64_t backoff = std::max<int64_t>(1, options.retry_initial_ms);
      for (int i = 0; i < d.attempts && backoff < options.retry_max_ms; ++i) backoff *= 2;
      backoff = std::min(backoff, std::max<int64_t>(1, options.retry_max_ms));
      auto retry_aw = Finish(d.id, AttemptOutcome::kRetry, now + backoff, std::move(error));
      co_await std::move(retry_aw);
      WaitUntil(queue, now + backoff);
      co_return;
    }
  }

  asio::awaitable<void> Finish(int64_t id, AttemptOutcome outcome, TimeMs next, std::string error) {
    FinishDeliveryOp op;
    op.id = id;
    op.outcome = outcome;
    op.next_attempt_at = next;
    op.error = std::move(error);
    op.now = clock();
    auto written_aw = Write(store, std::move(op));
    auto written = co_await std::move(written_aw);
    if (!written.status.ok()) {
      spdlog::error("delivery: recording an attempt: {}", written.status.message());
    }
  }

  OutboundRequest Request(const Delivery& d) const {
    OutboundRequest r;
    r.timeout = std::chrono::milliseconds(options.timeout_ms);
    r.body = d.body;
    if (IsPushQueue(d.queue)) {
      r.url = options.push_url;
      r.headers = {{"content-type", "application/json"},
                   {"relayer-push-request-id", d.request_id},
                   {"user-agent", "relayer-push/1.0"}};
      if (!options.push_secret.empty()) {
        r.headers.emplace_back("relayer-push-signature", HmacSha1Hex(options.push_secret, d.body));
      }
      return r;
    }
    const Webhook& w = *d.webhook;
    r.url = w.target_url;
    r.headers = {
        {"content-type", "application/vnd.layer.webhooks+json; version=" + w.version},
        {"layer-webhook-event-type", d.event_type},
        {"layer-webhook-signature", HmacSha1Hex(w.secret, d.body)},
        {"layer-webhook-request-id", d.request_id},
        {"layer-webhook-id", w.id},
        {"user-agent", "layer-webhooks/1.0"},
    };
    return r;
  }

  // ---- Verification -------------------------------------------------------------------------

  static asio::awaitable<void> RunVerify(std::shared_ptr<Impl> self, Webhook w) {
    const std::string challenge = RandomToken(16);
    OutboundRequest r;
    r.method = "GET";
    r.url = w.target_url + (w.target_url.find('?') == std::string::npos ? "?" : "&") +
            "verification_challenge=" + challenge;
    r.timeout = std::chrono::milliseconds(self->options.timeout_ms);
    r.headers = {{"user-agent", "layer-webhooks/1.0"}};
    auto send_aw = SendOutbound(std::move(r));
    OutboundReply reply = co_await std::move(send_aw);
    std::string echoed = reply.body;
    while (!echoed.empty() &&
           (echoed.back() == '\n' || echoed.back() == '\r' || echoed.back() == ' '))
      echoed.pop_back();
    SetWebhookStatusOp op;
    op.app_id = w.app;
    op.id = w.id;
    op.only_if = WebhookStatus::kUnverified;
    op.now = self->clock();
    if (reply.ok() && echoed == challenge) {
      op.status = WebhookStatus::kActive;
    } else {
      op.status = WebhookStatus::kInactive;
      op.reason =
          "Verification failed: " + (reply.status ? "HTTP " + std::to_string(reply.status) +
                                                        (reply.ok() ? " without the challenge" : "")
                                                  : "no answer: " + reply.error);
    }
    auto written_aw = Write(self->store, std::move(op));
    auto written = co_await std::move(written_aw);
    if (!written.status.ok() && written.status.code() != ErrorCode::kNotFound) {
      spdlog::error("delivery: recording verification: {}", written.status.message());
    }
    self->KickOnStrand(w.id);
  }

  static asio::awaitable<void> Resume(std::shared_ptr<Impl> self) {
    auto queues_aw = RunBlocking(self->blocking, [self] { return self->store.DeliveryQueues(); });
    auto queues = co_await std::move(queues_aw);
    if (queues.ok()) {
      for (const auto& q : *queues) self->KickOnStrand(q);
    } else {
      spdlog::error("delivery: reading queues: {}", queues.status().message());
    }
    auto hooks_aw =
        RunBlocking(self->blocking, [self] { return self->store.ListWebhooks(AppId()); });
    auto hooks = co_await std::move(hooks_aw);
    if (hooks.ok()) {
      for (const Webhook& w : *hooks) {
        if (w.status == WebhookStatus::kUnverified) self->Spawn(RunVerify(self, w));
      }
    }
    self->PokeOnStrand();
  }
};

DeliveryService::DeliveryService(Store& store, asio::thread_pool& blocking, asio::io_context& io,
                                 Connected connected, DeliveryOptions options, Clock clock)
    : impl_(std::make_shared<Impl>(store, blocking, io, std::move(connected), std::move(options),
                                   std::move(clock))) {}

DeliveryService::~DeliveryService() = default;

const DeliveryOptions& DeliveryService::options() const { return impl_->options; }

void DeliveryService::Start() {
  asio::post(impl_->strand, [self = impl_] { self->Spawn(Impl::Resume(self)); });
}

void DeliveryService::Poke() {
  asio::post(impl_->strand, [self = impl_] { self->PokeOnStrand(); });
}

void DeliveryService::Kick(const std::string& queue) {
  asio::post(impl_->strand, [self = impl_, queue] { self->KickOnStrand(queue); });
}

void DeliveryService::Verify(const Webhook& webhook) {
  asio::post(impl_->strand,
             [self = impl_, webhook] { self->Spawn(Impl::RunVerify(self, webhook)); });
}

}  // namespace relayer::server
