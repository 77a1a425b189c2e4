// Delivery events: what a committed write leaves for webhooks and push (core/delivery.h), recorded
// by the writer in the write's own transaction, only when an active webhook of the app subscribes
// to the event type or (for a new message with a notification) a recipient has a push token.
#pragma once

#include <optional>
#include <string>

#include "store/sqlite/ops.h"

namespace relayer::sqlite {

// The object a global delete is about to remove, taken before the delete runs (only when an
// event about it is wanted).
struct PreSnapshot {
  std::optional<Message> message;
  std::optional<Conversation> conversation;
};
Result<PreSnapshot> SnapshotBefore(OpContext& ctx, const WriteOp& op);

// Records the events of a successful write (out holds its result).
Status RecordEvents(OpContext& ctx, const WriteOp& op, const PreSnapshot& pre, WriteResult& out);

// Inserts one event row and counts it in out.delivery_events.
Status InsertEvent(Connection& db, const DeliveryEvent& event, WriteResult& out);

// The JSON kept in delivery_events.object, and back into an event (type, app, seq set by caller).
std::string EncodeEventObject(const DeliveryEvent& event);
Status DecodeEventObject(std::string_view text, DeliveryEvent& event);

}  // namespace relayer::sqlite
