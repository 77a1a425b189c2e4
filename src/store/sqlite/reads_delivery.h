// Reads of the delivery tables (push tokens, webhooks, events, outbox), on any connection: a
// reader's own, or the writer's inside its transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/sqlite/db.h"
#include "store/store.h"

namespace relayer::sqlite {

// kNotFound when absent or in another app.
Result<Webhook> ReadWebhookRow(Connection& db, const AppId& app, const std::string& id);
Result<std::vector<Webhook>> ReadWebhooks(Connection& db, const AppId& app);
Result<std::vector<PushToken>> ReadPushTokens(Connection& db, const AppId& app,
                                              const std::vector<UserId>& users);
Result<std::vector<DeliveryEvent>> ReadPendingEvents(Connection& db, size_t limit);
Result<std::vector<std::string>> ReadDeliveryQueues(Connection& db);
Result<std::optional<Delivery>> ReadNextDelivery(Connection& db, const std::string& queue);

}  // namespace relayer::sqlite
