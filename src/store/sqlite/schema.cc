#include "store/sqlite/schema.h"

#include <string>

namespace relayer::sqlite {
namespace {

// Version 1. Packing follows docs/PERFORMANCE-NOTES: recipient_status is one column of the
// message row, the change log has one row per change with its recipients in a column, and the
// per-participant unread counter lives in the participants row.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE nonces (
  app TEXT NOT NULL,
  nonce TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (app, nonce)
) WITHOUT ROWID;

CREATE TABLE identities (
  app TEXT NOT NULL,
  user_id TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  avatar_url TEXT NOT NULL DEFAULT '',
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  email_address TEXT NOT NULL DEFAULT '',
  phone_number TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (app, user_id)
) WITHOUT ROWID;

CREATE TABLE sessions (
  token TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Ids are UUIDs, unique across apps; a lookup always checks the app as well.
CREATE TABLE conversations (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  app TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  distinct_key TEXT,  -- NULL once the conversation is no longer distinct
  metadata TEXT NOT NULL DEFAULT '{}',
  last_position INTEGER NOT NULL DEFAULT 0,
  last_sent_at INTEGER  -- sent_at of the newest message, NULL without messages
);
CREATE UNIQUE INDEX conversations_distinct ON conversations (app, distinct_key);

-- hidden_before: messages at or below this position are hidden for the user (my_devices delete);
-- hidden: the conversation itself is hidden until a newer message arrives.
-- read_upto: every message at or below this position is read (mark_all_read watermark).
CREATE TABLE participants (
  conv INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  unread INTEGER NOT NULL DEFAULT 0,
  hidden INTEGER NOT NULL DEFAULT 0,
  hidden_before INTEGER NOT NULL DEFAULT 0,
  read_upto INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (conv, user_id)
) WITHOUT ROWID;
CREATE INDEX participants_by_user ON participants (user_id, conv);

CREATE TABLE messages (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  app TEXT NOT NULL,
  conv INTEGER NOT NULL,
  position INTEGER NOT NULL,
  sender_user TEXT,
  sender_name TEXT NOT NULL DEFAULT '',
  sent_at INTEGER NOT NULL,
  parts TEXT NOT NULL,
  notification TEXT,
  recipient_status TEXT NOT NULL,
  UNIQUE (conv, position)
);

-- Messages deleted for one user's devices only.
CREATE TABLE hidden_messages (
  msg INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (msg, user_id)
) WITHOUT ROWID;

CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  app TEXT NOT NULL,
  ts INTEGER NOT NULL,
  op INTEGER NOT NULL,
  type INTEGER NOT NULL,
  object_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  recipients TEXT NOT NULL,  -- JSON array of user ids
  data TEXT NOT NULL
);
CREATE INDEX changes_by_ts ON changes (app, ts);
)sql";

// Version 2: Layer-Count without counting. A conversation keeps its number of messages, and a
// participant the number of them at or below its hidden_before, so the messages a user sees are
// message_count - hidden_below - (its few one-by-one hidden messages above hidden_before).
constexpr const char* kMigrationV2 = R"sql(
ALTER TABLE conversations ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET message_count =
  (SELECT COUNT(*) FROM messages m WHERE m.conv = conversations.rowid);
ALTER TABLE participants ADD COLUMN hidden_below INTEGER NOT NULL DEFAULT 0;
UPDATE participants SET hidden_below = (SELECT COUNT(*) FROM messages m
  WHERE m.conv = participants.conv AND m.position <= participants.hidden_before);
CREATE INDEX hidden_messages_by_user ON hidden_messages (user_id, msg);
)sql";

// Version 3: a user's changes by key, so Event.replay reads that user's rows instead of scanning
// every change of the app since the timestamp. One narrow row per recipient.
constexpr const char* kMigrationV3 = R"sql(
CREATE TABLE change_recipients (
  app TEXT NOT NULL,
  user_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (app, user_id, seq)
) WITHOUT ROWID;
INSERT INTO change_recipients (app, user_id, seq)
  SELECT c.app, r.value, c.seq FROM changes c, json_each(c.recipients) r;
)sql";

// Versions 4 and 5 were never released: their numbers are unused (the sync log, built as v4,
// landed as v9 and rich content, built as v5, as v8).

// Version 6: outbound delivery. Push tokens (a device belongs to one user at a time), webhooks,
// the events writes leave for them (consumed when scheduled: the table is the dispatcher's
// cursor) and the outbox of HTTP requests, sent one at a time per queue in id order.
constexpr const char* kMigrationV6 = R"sql(
CREATE TABLE push_tokens (
  app TEXT NOT NULL,
  device_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  token TEXT NOT NULL,
  type TEXT NOT NULL,
  apns_bundle_id TEXT NOT NULL DEFAULT '',
  gcm_sender_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  PRIMARY KEY (app, device_id)
) WITHOUT ROWID;
CREATE INDEX push_tokens_by_user ON push_tokens (app, user_id, last_used_at);
CREATE INDEX push_tokens_by_token ON push_tokens (app, token);

CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  version TEXT NOT NULL,
  target_url TEXT NOT NULL,
  events TEXT NOT NULL,  -- JSON array of event types
  secret TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '{}',
  status INTEGER NOT NULL,
  status_reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  from_config INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX webhooks_by_app ON webhooks (app, created_at);

CREATE TABLE delivery_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  app TEXT NOT NULL,
  ts INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor_user TEXT,
  actor_name TEXT NOT NULL DEFAULT '',
  object TEXT NOT NULL  -- the message, conversation or notification as it was (JSON)
);

CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  app TEXT NOT NULL,
  queue TEXT NOT NULL,
  request_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  first_attempt_at INTEGER,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_by_queue ON deliveries (queue, id);
)sql";

// Version 7: Platform API state. Block lists, external badge counts, announcements (a message
// outside any conversation, with its recipients one row each so that a user's list is a range
// read), and the answers to If-None-Match creates.
constexpr const char* kMigrationV7 = R"sql(
CREATE TABLE blocks (
  app TEXT NOT NULL,
  owner TEXT NOT NULL,
  blocked TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (app, owner, blocked)
) WITHOUT ROWID;

CREATE TABLE badges (
  app TEXT NOT NULL,
  user_id TEXT NOT NULL,
  external_unread_count INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (app, user_id)
) WITHOUT ROWID;

CREATE TABLE announcements (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  app TEXT NOT NULL,
  sender_name TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  parts TEXT NOT NULL,
  notification TEXT,
  recipient_status TEXT NOT NULL
);
CREATE TABLE announcement_recipients (
  app TEXT NOT NULL,
  user_id TEXT NOT NULL,
  ann INTEGER NOT NULL,
  PRIMARY KEY (app, user_id, ann)
) WITHOUT ROWID;

CREATE TABLE platform_dedup (
  app TEXT NOT NULL,
  key TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (app, key)
) WITHOUT ROWID;
CREATE INDEX platform_dedup_by_expiry ON platform_dedup (expires_at);
)sql";

// Version 8: rich content. `content` is what was declared (and, once uploaded_at is set, whose
// bytes are complete); `conversation_content` which conversations hold it, for download rights.
constexpr const char* kMigrationV8 = R"sql(
CREATE TABLE content (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  uploader TEXT NOT NULL,
  mime_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  uploaded_at INTEGER  -- NULL until the bytes are complete
) WITHOUT ROWID;
CREATE TABLE conversation_content (
  content TEXT NOT NULL,
  conv INTEGER NOT NULL,
  PRIMARY KEY (content, conv)
) WITHOUT ROWID;
)sql";

// Version 9: the sync log (the dashboard's "Sync: User alice created a message ..." lines), one row
// per action, written by each write operation in its transaction. Indexed for the dashboard's
// filters: by time, by conversation and by acting user, each within an app.
constexpr const char* kMigrationV9 = R"sql(
CREATE TABLE sync_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  app TEXT NOT NULL,
  ts INTEGER NOT NULL,
  actor TEXT NOT NULL,
  actor_is_user INTEGER NOT NULL,
  verb TEXT NOT NULL,
  object_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,  -- '' when the action concerns no conversation
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_log_by_app ON sync_log (app, seq);
CREATE INDEX sync_log_by_ts ON sync_log (app, ts);
CREATE INDEX sync_log_by_conversation ON sync_log (app, conversation_id, seq);
CREATE INDEX sync_log_by_actor ON sync_log (app, actor, seq);
)sql";

// Version 10: the sync log in packed blocks (sync_log.h): one row per commit and app holding up to
// 256 entries, instead of one row per entry with four indexes. The writer numbers the entries;
// sync_seq keeps the last number, so one is never given out twice even when pruning empties the
// log. Each v9 row becomes a block of one.
constexpr const char* kMigrationV10 = R"sql(
CREATE TABLE sync_blocks (
  last_seq INTEGER PRIMARY KEY,  -- seq of the block's newest entry
  first_seq INTEGER NOT NULL,
  app TEXT NOT NULL,
  min_ts INTEGER NOT NULL,
  max_ts INTEGER NOT NULL,
  -- JSON array, oldest first, of [seq, ts, actor, actor_is_user, verb, object_id,
  -- conversation_id, detail]
  entries TEXT NOT NULL
);
CREATE INDEX sync_blocks_by_app ON sync_blocks (app, last_seq);
INSERT INTO sync_blocks (last_seq, first_seq, app, min_ts, max_ts, entries)
  SELECT seq, seq, app, ts, ts,
         json_array(json_array(seq, ts, actor, actor_is_user, verb, object_id, conversation_id,
                               detail))
  FROM sync_log;
CREATE TABLE sync_seq (last INTEGER NOT NULL);
INSERT INTO sync_seq (last) SELECT MAX(
  COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'sync_log'), 0),
  COALESCE((SELECT MAX(seq) FROM sync_log), 0));
DROP TABLE sync_log;
)sql";

// Version 11: changes to a conversation's members found through the conversation. A message, a
// receipt or an unread count went to the change log as one row plus one change_recipients row
// per member, each a random page of that index (a third of the writer's time in S1, 25 per
// message in a conversation of 25). Such changes now carry their conversation's rowid and one
// entry in changes_by_conv; a replay reads the viewer's conversations (and those it has left,
// up to its departure: `departed`) and keeps the changes naming it among their recipients.
// Changes written before stay where they are, in change_recipients. A departure is noted by a
// trigger wherever a participant row goes (removed, left, the conversation deleted), so no
// write path can forget it.
constexpr const char* kMigrationV11 = R"sql(
ALTER TABLE changes ADD COLUMN conv INTEGER;
CREATE INDEX changes_by_conv ON changes (conv) WHERE conv IS NOT NULL;
CREATE TABLE departed (
  app TEXT NOT NULL,
  user_id TEXT NOT NULL,
  conv INTEGER NOT NULL,
  left_seq INTEGER NOT NULL,  -- the last change logged before the user left
  PRIMARY KEY (app, user_id, conv)
) WITHOUT ROWID;
)sql";

// The trigger of v11 (kept apart: v12 rebuilds the changes table it reads, without it).
constexpr const char* kDepartedTrigger = R"sql(
CREATE TRIGGER participants_departed AFTER DELETE ON participants BEGIN
  INSERT INTO departed (app, user_id, conv, left_seq)
    SELECT v.app, OLD.user_id, OLD.conv, (SELECT COALESCE(MAX(seq), 0) FROM changes)
    FROM conversations v WHERE v.rowid = OLD.conv
    ON CONFLICT (app, user_id, conv) DO UPDATE SET left_seq = excluded.left_seq;
END;
)sql";

// Version 12: the change log without the writes that only kept an order it already has.
// - A replay from a time finds where to start through a mark per app and minute, not an index
//   of every change by time. changes_by_ts took an entry per change, appended at its right
//   edge, where an index page splits in halves: ~3 of the ~30 pages a group commit of S1 wrote.
//   A mark is written when an app's first change of a new minute is logged (InsertChange); it
//   names that change. The marks of the changes already logged are the first of each minute.
// - seq without AUTOINCREMENT: that updated sqlite_sequence once per change (a page per commit
//   and ~10% of the store's CPU per message). Changes are never deleted, so the largest seq is
//   always in the table and a new one is still larger than any given out. The table is
//   rebuilt (SQLite cannot drop AUTOINCREMENT in place), its trigger and index with it.
constexpr const char* kMigrationV12 = R"sql(
CREATE TABLE change_marks (
  app TEXT NOT NULL,
  minute INTEGER NOT NULL,  -- ts / 60000 of the change it names
  seq INTEGER NOT NULL,
  PRIMARY KEY (app, minute)
) WITHOUT ROWID;
INSERT INTO change_marks (app, minute, seq)
  SELECT app, ts / 60000, MIN(seq) FROM changes GROUP BY app, ts / 60000;
DROP TRIGGER participants_departed;
CREATE TABLE changes_v12 (
  seq INTEGER PRIMARY KEY,
  app TEXT NOT NULL,
  ts INTEGER NOT NULL,
  op INTEGER NOT NULL,
  type INTEGER NOT NULL,
  object_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  recipients TEXT NOT NULL,  -- JSON array of user ids
  data TEXT NOT NULL,
  conv INTEGER
);
INSERT INTO changes_v12 (seq, app, ts, op, type, object_id, conversation_id, recipients, data, conv)
  SELECT seq, app, ts, op, type, object_id, conversation_id, recipients, data, conv FROM changes;
DROP TABLE changes;
ALTER TABLE changes_v12 RENAME TO changes;
CREATE INDEX changes_by_conv ON changes (conv) WHERE conv IS NOT NULL;
)sql";

Result<int> UserVersion(Connection& db) {
  auto q = db.Prepare("PRAGMA user_version");
  if (!q.Next()) return q.ok() ? Internal("sqlite: no user_version") : q.status();
  return static_cast<int>(q.Int(0));
}

}  // namespace

Status ConfigureConnection(Connection& db) {
  // The statement journals of savepoints stay in memory (in a file, every write's savepoint
  // wrote each page it touched once more).
  return db.Execute(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF; "
      "PRAGMA temp_store=MEMORY;");
}

Status ConfigureWriterConnection(Connection& db) {
  if (Status s = ConfigureConnection(db); !s.ok()) return s;
  // A cache that holds a whole group commit's dirty pages: a smaller one spills them into the WAL
  // mid-transaction and reads them back (the default 2 MB did, several times per batch). Readers
  // keep the default: theirs is emptied by every commit anyway. The writer reads the database
  // file through a memory map (12% less CPU per message in S1 than one pread per page); readers
  // do not: the pages they map in counted as memory of every idle socket (S3: 5.5 KB per
  // connection with it, 2.7 KB without).
  return db.Execute("PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;");
}

Status Migrate(Connection& db) {
  if (Status s = db.Execute("BEGIN IMMEDIATE"); !s.ok()) return s;
  auto version = UserVersion(db);
  Status s = version.status();
  if (s.ok() && *version > kSchemaVersion) {
    s = Internal("sqlite: schema version " + std::to_string(*version) + " is newer than " +
                 std::to_string(kSchemaVersion));
  }
  if (s.ok() && *version < 1) s = db.Execute(kSchemaV1);
  if (s.ok() && *version < 2) s = db.Execute(kMigrationV2);
  if (s.ok() && *version < 3) s = db.Execute(kMigrationV3);
  if (s.ok() && *version < 6) s = db.Execute(kMigrationV6);
  if (s.ok() && *version < 7) s = db.Execute(kMigrationV7);
  if (s.ok() && *version < 8) s = db.Execute(kMigrationV8);
  if (s.ok() && *version < 9) s = db.Execute(kMigrationV9);
  if (s.ok() && *version < 10) s = db.Execute(kMigrationV10);
  if (s.ok() && *version < 11) s = db.Execute(kMigrationV11);
  if (s.ok() && *version < 11) s = db.Execute(kDepartedTrigger);
  if (s.ok() && *version < 12) s = db.Execute(kMigrationV12);
  if (s.ok() && *version < 12) s = db.Execute(kDepartedTrigger);
  if (s.ok()) s = db.Execute(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  if (!s.ok()) {
    db.Execute("ROLLBACK");
    return s;
  }
  return db.Execute("COMMIT");
}

}  // namespace relayer::sqlite
