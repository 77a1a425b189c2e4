// JSON shapes of the dashboard API (documented in docs/dashboard.md).
#pragma once

#include <boost/json/object.hpp>
#include <vector>

#include "core/model.h"
#include "core/sync_log.h"

namespace relayer::server {

// {seq, ts, time, actor, actor_type, verb, object_id, conversation_id, line}
boost::json::object SyncLogEntryJson(const SyncLogEntry& e);
// {id, created_at, distinct, metadata, participants [{user_id, display_name}],
//  total_message_count, messages [newest first]}
boost::json::object DashboardConversationJson(const Conversation& c,
                                              const std::vector<Message>& messages);
// {id, position, sent_at, sender {user_id?, name}, parts [{mime_type, size, text?}],
//  recipient_status {user: sent|delivered|read}}
boost::json::object DashboardMessageJson(const Message& m);

}  // namespace relayer::server
