// Delivery events on PostgreSQL (events.cc): the rows a write leaves for the delivery service.
// SnapshotBefore and RecordEvents, which decide what to record, are declared in ops.h.
#pragma once

#include "store/postgres/ops.h"

namespace relayer::pg {

// Inserts one event row (in the caller's transaction) and counts it in out.delivery_events.
Status InsertEvent(Connection& db, const DeliveryEvent& event, WriteResult& out);

}  // namespace relayer::pg
