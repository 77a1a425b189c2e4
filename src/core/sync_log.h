// The sync log: one structured entry per action that changed an app's data (what Layer's developer
// dashboard listed as "Sync: User alice created a message in conversation layer:///...").
// The store keeps the structured rows; the wording lives here, so every backend and every view
// renders the same line. Pure functions, no I/O: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/model.h"

namespace relayer {

enum class SyncVerb {
  kConversationCreated,
  kParticipantsChanged,  // detail: {"added":[user...],"removed":[user...]}
  kMetadataChanged,
  kConversationDeleted,  // detail: {"mode":"all_participants"|"my_devices"}
  kConversationLeft,
  kMessageCreated,   // object: the message
  kMessageDeleted,   // object: the message; detail: {"mode":...}
  kDeliveryReceipt,  // object: the message
  kReadReceipt,      // object: the message
  kMarkedAllRead,    // detail: {"count":N}
  kIdentityUpdated,  // object: the user id whose profile changed
  kSessionStarted,   // the actor authenticated
  // Platform API actions (the actor is the Platform API).
  kIdentityDeleted,   // object: the user id whose profile was removed
  kUserBlocked,       // object: the blocked user id; detail: {"owner":user}
  kUserUnblocked,     // object: the unblocked user id; detail: {"owner":user}
  kAnnouncementSent,  // object: the announcement UUID; detail: {"count":recipients}
};

// Stable lower-case names ("message_created"), used in the store and the dashboard API.
const char* SyncVerbName(SyncVerb verb);
std::optional<SyncVerb> ParseSyncVerb(std::string_view name);

// Who acted: a user of the app, or a named service (a Platform API sender, the Platform API).
struct SyncActor {
  bool is_user = true;
  std::string name;  // the user id, or the service's name

  // An empty user id is the app acting through the Platform API (store.h's AppActor()).
  static SyncActor User(const UserId& user) {
    return user.empty() ? Service("Platform API") : SyncActor{true, user.str()};
  }
  static SyncActor Service(std::string name) { return {false, std::move(name)}; }
};

struct SyncLogEntry {
  int64_t seq = 0;  // increasing in commit order
  TimeMs ts = 0;
  SyncActor actor;
  SyncVerb verb = SyncVerb::kMessageCreated;
  std::string object_id;           // message UUID, conversation UUID or user id
  ConversationId conversation_id;  // empty for identity and session entries
  std::string detail_json;         // "" or a small JSON object (see SyncVerb)
};

// "Sync: User alice created a message in conversation layer:///conversations/UUID." A detail that
// does not parse is left out of the line rather than failing it.
std::string RenderSyncLine(const SyncLogEntry& entry);

// Detail builders, so writers and the renderer agree on the shape.
std::string ParticipantsDetail(const std::vector<UserId>& added,
                               const std::vector<UserId>& removed);
std::string ModeDetail(bool all_participants);
std::string CountDetail(int64_t count);
std::string OwnerDetail(const UserId& owner);

}  // namespace relayer
