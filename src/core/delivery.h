// Outbound delivery: push tokens, webhooks, the events a committed write leaves for them, and the
// durable outbox of HTTP requests still to make. Plain values; no I/O here.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"

namespace relayer {

// A device's native push token (POST /push_tokens). A device belongs to one user at a time.
struct PushToken {
  UserId user_id;
  std::string device_id;
  std::string token;
  std::string type;  // "apns", "gcm", ...
  std::string apns_bundle_id;
  std::string gcm_sender_id;
  TimeMs created_at = 0;
  TimeMs last_used_at = 0;  // last (re-)registration: the least recently used is evicted first
};

enum class WebhookStatus : int { kUnverified = 0, kActive = 1, kInactive = 2 };

struct Webhook {
  std::string id;  // UUID
  AppId app;
  std::string version = "1.0";
  std::string target_url;
  std::vector<std::string> events;  // event types, e.g. "message.sent"
  std::string secret;
  boost::json::object config;
  WebhookStatus status = WebhookStatus::kUnverified;
  std::string status_reason;
  TimeMs created_at = 0;
  bool from_config = false;  // declared in the config file: needs no verification
};

// The webhook event types (Layer's names) and the push-only "notification" of the Platform API.
inline constexpr const char* kWebhookEventTypes[] = {"message.sent",
                                                     "message.delivered",
                                                     "message.read",
                                                     "message.deleted",
                                                     "conversation.created",
                                                     "conversation.updated.participants",
                                                     "conversation.updated.metadata",
                                                     "conversation.deleted"};
inline constexpr const char* kNotificationEvent = "notification";

// Something that happened, recorded by the write that did it (same transaction), waiting to be
// turned into deliveries. `message` / `conversation` is the object as it was at that moment
// (a deleted object included); a Platform notification carries recipients and notification.
struct DeliveryEvent {
  int64_t seq = 0;  // commit order
  AppId app;
  TimeMs ts = 0;
  std::string type;
  Sender actor;  // empty user_id and name: no actor
  std::optional<Message> message;
  std::optional<Conversation> conversation;  // participants hold only user ids
  std::vector<UserId> recipients;            // notification
  boost::json::object notification;          // notification
};

// One HTTP request still to make. Requests of one queue go out one at a time, in id order.
struct Delivery {
  int64_t id = 0;
  AppId app;
  std::string queue;  // a webhook id, or "push/<user id>"
  std::string request_id;
  std::string event_type;
  std::string body;
  int attempts = 0;
  std::optional<TimeMs> first_attempt_at;
  TimeMs next_attempt_at = 0;
  TimeMs created_at = 0;
  std::string last_error;
  std::optional<Webhook> webhook;  // for webhook queues, as stored now (absent: deleted)
};

// "push/<user>" queues carry push notifications; every other queue is a webhook id.
inline std::string PushQueue(const UserId& user) { return "push/" + user.str(); }
inline bool IsPushQueue(const std::string& queue) { return queue.rfind("push/", 0) == 0; }

}  // namespace relayer
