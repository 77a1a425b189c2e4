// The bodies of outbound deliveries: Layer's webhook payloads (Platform API representation of the
// message or conversation) and the push provider's per-device payload. Pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "core/delivery.h"

namespace relayer::server {

// Base of `url` fields, e.g. "https://chat.example.com": urls read BASE/apps/APP/...
boost::json::object PlatformMessageJson(const Message& m, const AppId& app,
                                        const std::string& base_url);
boost::json::object PlatformConversationJson(const Conversation& c, const AppId& app,
                                             const std::string& base_url);

// {event: {created_at, type, id, actor?}, message | conversation, config}.
std::string WebhookBody(const DeliveryEvent& event, const std::string& event_id,
                        const Webhook& webhook, const std::string& base_url);

// The notification `user` gets: `notification` with the fields of notification.recipients[user]
// laid over it (and without `recipients`).
boost::json::object NotificationFor(const boost::json::object& notification, const UserId& user);

// One device's push: {app_id, user_id, device_id, token, type, apns_bundle_id, gcm_sender_id,
// title, text, sound, notification, message_id, conversation_id} (ids null without a message).
std::string PushBody(const AppId& app, const PushToken& token,
                     const boost::json::object& notification, const Message* message);

}  // namespace relayer::server
