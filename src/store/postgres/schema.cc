#include "store/postgres/schema.h"

#include <charconv>
#include <iterator>
#include <string>

namespace relayer::pg {
namespace {

// Version 1: the core model, with the meaning of SQLite's v1-v3 (src/store/sqlite/schema.cc).
// Every conversation-owned table leads with (app, conv) so that it can be partitioned by
// conversation later (docs/scaling.md); global lookups that cannot carry the conversation
// (distinct sets, message ids) are their own small tables keyed by what they look up, so no
// unique index ever has to span partitions. Times are Unix milliseconds like SQLite's. Codec-owned
// blobs (parts, recipient status, change data) stay text: jsonb would reorder their keys.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE identities (
  app text NOT NULL,
  user_id text NOT NULL,
  display_name text NOT NULL DEFAULT '',
  avatar_url text NOT NULL DEFAULT '',
  first_name text NOT NULL DEFAULT '',
  last_name text NOT NULL DEFAULT '',
  email_address text NOT NULL DEFAULT '',
  phone_number text NOT NULL DEFAULT '',
  updated_at bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (app, user_id)
);

CREATE TABLE nonces (
  app text NOT NULL,
  nonce text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  used boolean NOT NULL DEFAULT false,
  PRIMARY KEY (app, nonce)
);

CREATE TABLE sessions (
  token text PRIMARY KEY,
  app text NOT NULL,
  user_id text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);

CREATE TABLE conversations (
  app text NOT NULL,
  id uuid NOT NULL,
  created_at bigint NOT NULL,
  metadata text NOT NULL DEFAULT '{}',
  last_position bigint NOT NULL DEFAULT 0,
  last_sent_at bigint,  -- sent_at of the newest message, NULL without messages
  message_count bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (app, id)
);

-- The claim of a canonical participant set (core DistinctKey) by the one distinct conversation
-- holding it. Creating a distinct conversation inserts here in its transaction: of two nodes
-- racing, one insert fails with a unique violation and that node returns the winner's
-- conversation instead of checking first. The row goes when the conversation stops being distinct.
CREATE TABLE distinct_conversations (
  app text NOT NULL,
  distinct_key text NOT NULL,
  conv uuid NOT NULL,
  PRIMARY KEY (app, distinct_key),
  UNIQUE (app, conv),
  FOREIGN KEY (app, conv) REFERENCES conversations (app, id) ON DELETE CASCADE
);

-- hidden_before: messages at or below this position are hidden for the user (my_devices delete),
-- hidden_below: how many messages that is; hidden: the conversation is hidden until a newer
-- message arrives; read_upto: every message at or below this position is read.
CREATE TABLE participants (
  app text NOT NULL,
  conv uuid NOT NULL,
  user_id text NOT NULL,
  unread bigint NOT NULL DEFAULT 0,
  hidden boolean NOT NULL DEFAULT false,
  hidden_before bigint NOT NULL DEFAULT 0,
  hidden_below bigint NOT NULL DEFAULT 0,
  read_upto bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (app, conv, user_id),
  FOREIGN KEY (app, conv) REFERENCES conversations (app, id) ON DELETE CASCADE
);
CREATE INDEX participants_by_user ON participants (app, user_id, conv);

-- A message is (conversation, position): the position is the conversation's own counter.
CREATE TABLE messages (
  app text NOT NULL,
  conv uuid NOT NULL,
  position bigint NOT NULL,
  id uuid NOT NULL,
  sender_user text,  -- NULL for a message sent by the Platform API under a name
  sender_name text NOT NULL DEFAULT '',
  sent_at bigint NOT NULL,
  parts text NOT NULL,
  notification text,
  recipient_status text NOT NULL,
  PRIMARY KEY (app, conv, position),
  UNIQUE (app, conv, id),
  FOREIGN KEY (app, conv) REFERENCES conversations (app, id) ON DELETE CASCADE
);

-- layer:///messages/ID names no conversation: this finds it, and keeps ids unique per app.
CREATE TABLE message_ids (
  app text NOT NULL,
  id uuid NOT NULL,
  conv uuid NOT NULL,
  position bigint NOT NULL,
  PRIMARY KEY (app, id),
  FOREIGN KEY (app, conv, position) REFERENCES messages (app, conv, position) ON DELETE CASCADE
);

-- Messages deleted for one user's devices only.
CREATE TABLE hidden_messages (
  app text NOT NULL,
  conv uuid NOT NULL,
  user_id text NOT NULL,
  position bigint NOT NULL,
  PRIMARY KEY (app, conv, user_id, position),
  FOREIGN KEY (app, conv, position) REFERENCES messages (app, conv, position) ON DELETE CASCADE
);

-- The change log: one row per change, and one row per recipient in that user's own sequence.
-- user_seq comes from the user's row in user_change_heads, updated in the writing transaction:
-- the row lock orders a user's writers, so a user's changes commit in user_seq order and a node
-- filling a gap after a Redis outage reads "user_seq > last seen" without missing a late commit
-- (a global identity alone does not commit in order across concurrent transactions).
CREATE TABLE changes (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  app text NOT NULL,
  ts bigint NOT NULL,
  op smallint NOT NULL,
  type smallint NOT NULL,
  object_id text NOT NULL,
  conversation_id text NOT NULL,
  data text NOT NULL
);
CREATE INDEX changes_by_ts ON changes (app, ts);

CREATE TABLE user_change_heads (
  app text NOT NULL,
  user_id text NOT NULL,
  last_seq bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (app, user_id)
);

CREATE TABLE user_changes (
  app text NOT NULL,
  user_id text NOT NULL,
  user_seq bigint NOT NULL,
  change bigint NOT NULL REFERENCES changes (seq) ON DELETE CASCADE,
  PRIMARY KEY (app, user_id, user_seq)
);
CREATE INDEX user_changes_by_change ON user_changes (change);
)sql";

// Version 2: everything else SQLite has (its v6 delivery, v7 platform, v8 content, v9 sync log),
// with the same meaning. Keys lead with the app where every lookup has one; conversation-owned
// rows lead with (app, conv). Auto-numbered sequences (delivery events, deliveries, the sync log)
// are identity columns: their readers only need an order, not commit order.
constexpr const char* kMigrationV2 = R"sql(
-- A change row names its recipients (JSON array, as SQLite's) so that a read returns the whole
-- change. A user's changes by global seq: EmitChange draws the seq after locking the recipients'
-- heads, so per user the seq order is the user_seq order and "seq > N" is a range of this index.
ALTER TABLE changes ADD COLUMN recipients text NOT NULL DEFAULT '[]';
CREATE INDEX user_changes_by_user_change ON user_changes (app, user_id, change);
-- POST /nonces names no app, so a session consumes a nonce by its value alone.
CREATE INDEX nonces_by_nonce ON nonces (nonce);

CREATE TABLE push_tokens (
  app text NOT NULL,
  device_id text NOT NULL,
  user_id text NOT NULL,
  token text NOT NULL,
  type text NOT NULL,
  apns_bundle_id text NOT NULL DEFAULT '',
  gcm_sender_id text NOT NULL DEFAULT '',
  created_at bigint NOT NULL,
  last_used_at bigint NOT NULL,
  PRIMARY KEY (app, device_id)
);
CREATE INDEX push_tokens_by_user ON push_tokens (app, user_id, last_used_at);
CREATE INDEX push_tokens_by_token ON push_tokens (app, token);

-- Webhook ids are unique over all apps (a delivery queue names its webhook by id alone).
CREATE TABLE webhooks (
  id text PRIMARY KEY,
  app text NOT NULL,
  version text NOT NULL,
  target_url text NOT NULL,
  events text NOT NULL,  -- JSON array of event types
  secret text NOT NULL,
  config text NOT NULL DEFAULT '{}',
  status smallint NOT NULL,
  status_reason text NOT NULL DEFAULT '',
  created_at bigint NOT NULL,
  from_config boolean NOT NULL DEFAULT false
);
CREATE INDEX webhooks_by_app ON webhooks (app, created_at);

CREATE TABLE delivery_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  app text NOT NULL,
  ts bigint NOT NULL,
  type text NOT NULL,
  actor_user text,
  actor_name text NOT NULL DEFAULT '',
  object text NOT NULL  -- the message, conversation or notification as it was (JSON)
);

CREATE TABLE deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  app text NOT NULL,
  queue text NOT NULL,
  request_id text NOT NULL,
  event_type text NOT NULL,
  body text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  first_attempt_at bigint,
  next_attempt_at bigint NOT NULL,
  created_at bigint NOT NULL,
  last_error text NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_by_queue ON deliveries (queue, id);

CREATE TABLE blocks (
  app text NOT NULL,
  owner text NOT NULL,
  blocked text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (app, owner, blocked)
);

CREATE TABLE badges (
  app text NOT NULL,
  user_id text NOT NULL,
  external_unread_count bigint NOT NULL DEFAULT 0,
  updated_at bigint NOT NULL,
  PRIMARY KEY (app, user_id)
);

-- An announcement is a message outside any conversation. seq orders a user's list (newest first)
-- the way SQLite's rowid does; its recipients are one row each, so a user's list is a range read.
CREATE TABLE announcements (
  app text NOT NULL,
  id uuid NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  sender_name text NOT NULL,
  sent_at bigint NOT NULL,
  parts text NOT NULL,
  notification text,
  recipient_status text NOT NULL,
  PRIMARY KEY (app, id),
  UNIQUE (seq)
);
CREATE TABLE announcement_recipients (
  app text NOT NULL,
  user_id text NOT NULL,
  ann bigint NOT NULL REFERENCES announcements (seq) ON DELETE CASCADE,
  PRIMARY KEY (app, user_id, ann)
);

CREATE TABLE platform_dedup (
  app text NOT NULL,
  key text NOT NULL,
  status integer NOT NULL,
  body text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (app, key)
);
CREATE INDEX platform_dedup_by_expiry ON platform_dedup (expires_at);

-- Content ids are unique over all apps (GET /content/ID carries no app).
CREATE TABLE content (
  id text PRIMARY KEY,
  app text NOT NULL,
  uploader text NOT NULL,
  mime_type text NOT NULL,
  size bigint NOT NULL,
  created_at bigint NOT NULL,
  uploaded_at bigint  -- NULL until the bytes are complete
);
-- Which conversations hold a content (download rights); stored with the conversation.
CREATE TABLE conversation_content (
  app text NOT NULL,
  conv uuid NOT NULL,
  content text NOT NULL,
  PRIMARY KEY (app, conv, content),
  FOREIGN KEY (app, conv) REFERENCES conversations (app, id) ON DELETE CASCADE
);
CREATE INDEX conversation_content_by_content ON conversation_content (app, content, conv);

CREATE TABLE sync_log (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  app text NOT NULL,
  ts bigint NOT NULL,
  actor text NOT NULL,
  actor_is_user boolean NOT NULL,
  verb text NOT NULL,
  object_id text NOT NULL,
  conversation_id text NOT NULL,  -- '' when the action concerns no conversation
  detail text NOT NULL DEFAULT ''
);
CREATE INDEX sync_log_by_app ON sync_log (app, seq);
CREATE INDEX sync_log_by_ts ON sync_log (app, ts);
CREATE INDEX sync_log_by_conversation ON sync_log (app, conversation_id, seq);
CREATE INDEX sync_log_by_actor ON sync_log (app, actor, seq);
)sql";

struct Migration {
  int version;
  const char* sql;
};
constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kMigrationV2},
};
static_assert(kMigrations[std::size(kMigrations) - 1].version == kSchemaVersion);

// Any fixed number: every node takes the same lock ("relayer" in ASCII).
constexpr const char* kMigrationLock = "32199663511233906";

Status MigrateInTransaction(Connection& db) {
  // Taken before even looking at schema_version, so a second node waits here and then sees the
  // first node's committed work; released by COMMIT or ROLLBACK.
  if (auto r = db.Query("SELECT pg_advisory_xact_lock($1::bigint)", {kMigrationLock}); !r.ok()) {
    return r.status();
  }
  Status s = db.Execute(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version integer PRIMARY KEY,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  if (!s.ok()) return s;
  auto version = SchemaVersion(db);
  if (!version.ok()) return version.status();
  if (*version > kSchemaVersion) {
    return Internal("postgres: schema version " + std::to_string(*version) + " is newer than " +
                    std::to_string(kSchemaVersion));
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= *version) continue;
    if (s = db.Execute(m.sql); !s.ok()) return s;
    auto r =
        db.Query("INSERT INTO schema_version (version) VALUES ($1)", {std::to_string(m.version)});
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

}  // namespace

Result<int> SchemaVersion(Connection& db) {
  auto exists = db.Query("SELECT to_regclass('schema_version') IS NOT NULL");
  if (!exists.ok()) return exists.status();
  if (exists->rows.empty() || exists->rows[0][0] != "t") return 0;
  auto r = db.Query("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!r.ok()) return r.status();
  if (r->rows.empty() || !r->rows[0][0]) return Internal("postgres: no schema version");
  const std::string& text = *r->rows[0][0];
  int version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Internal("postgres: bad schema version '" + text + "'");
  }
  return version;
}

Status Migrate(Connection& db) {
  if (Status s = db.Execute("BEGIN"); !s.ok()) return s;
  Status s = MigrateInTransaction(db);
  if (!s.ok()) {
    (void)db.Execute("ROLLBACK");
    return s;
  }
  return db.Execute("COMMIT");
}

}  // namespace relayer::pg
