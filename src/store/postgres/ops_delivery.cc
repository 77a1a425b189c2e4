// Delivery on PostgreSQL: push tokens, webhooks, notifications, the outbox and the delivery
// events writes leave for them (store/sqlite/ops_delivery.cc and events.cc for SQLite's).
#include "store/postgres/ops.h"

namespace relayer::pg {

Status Apply(PgOpContext&, const RegisterPushTokenOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const DeletePushTokenOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const CreateWebhookOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const SyncConfigWebhooksOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const SetWebhookStatusOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const DeleteWebhookOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const SendNotificationOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const ScheduleDeliveriesOp&, WriteResult&) { return NotImplemented(); }
Status Apply(PgOpContext&, const FinishDeliveryOp&, WriteResult&) { return NotImplemented(); }

// No delivery events yet: nothing is recorded, so no webhook or push is ever owed.
Result<PreSnapshot> SnapshotBefore(PgOpContext&, const WriteOp&) { return PreSnapshot{}; }
Status RecordEvents(PgOpContext&, const WriteOp&, const PreSnapshot&, WriteResult&) {
  return Status::Ok();
}

}  // namespace relayer::pg
