// Delivery reads on PostgreSQL: push tokens, webhooks, pending events, the outbox.
#include "store/postgres/ops.h"
#include "store/postgres/reads.h"

namespace relayer::pg {

Result<std::vector<PushToken>> ReadPushTokens(Connection&, const AppId&,
                                              const std::vector<UserId>&) {
  return NotImplemented();
}
Result<std::vector<Webhook>> ReadWebhooks(Connection&, const AppId&) { return NotImplemented(); }
Result<Webhook> ReadWebhook(Connection&, const AppId&, const std::string&) {
  return NotImplemented();
}
Result<std::vector<DeliveryEvent>> ReadPendingEvents(Connection&, size_t) {
  return NotImplemented();
}
Result<std::vector<std::string>> ReadDeliveryQueues(Connection&) { return NotImplemented(); }
Result<std::optional<Delivery>> ReadNextDelivery(Connection&, const std::string&) {
  return NotImplemented();
}

}  // namespace relayer::pg
