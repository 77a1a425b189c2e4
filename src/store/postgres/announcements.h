// Announcement rows on PostgreSQL, shared by the announcement writes (ops_announcement.cc) and
// reads (reads_platform.cc, which implements these).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "store/postgres/connection.h"

namespace relayer::pg {

// An announcement (a Message without conversation). `seq` orders a user's list.
struct AnnouncementRow {
  int64_t seq = 0;
  AppId app;
  Message message;
};

// nullopt when the app has no announcement with this id. `lock`: FOR UPDATE (receipts).
Result<std::optional<AnnouncementRow>> FindAnnouncementRow(Connection& db, const AppId& app,
                                                           const MessageId& id, bool lock = false);
// Whether `user` is a recipient of announcement `seq` (and has not hidden it).
Result<bool> IsAnnouncementRecipient(Connection& db, const AppId& app, const UserId& user,
                                     int64_t seq);

}  // namespace relayer::pg
