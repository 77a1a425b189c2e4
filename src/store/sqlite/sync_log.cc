// The sync log: entries numbered and buffered by the writer (sync_log.h), written as packed blocks
// just before each commit, pruned a few blocks at a time, and read with the dashboard's filters.
#include "store/sqlite/sync_log.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "store/sqlite/ops.h"
#include "store/sqlite/reads.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace json = boost::json;
namespace {

// Blocks looked at per commit for pruning: few, so that a large backlog (e.g. after lowering the
// retention) is worked off over many commits instead of stalling one.
constexpr int64_t kPruneBlocks = 8;

// An entry as a block holds it: [seq, ts, actor, actor_is_user, verb, object_id,
// conversation_id, detail] (the columns of the v9 table, in order).
void AppendEncoded(std::string& out, const SyncLogEntry& e) {
  out += '[';
  out += std::to_string(e.seq);
  out += ',';
  out += std::to_string(e.ts);
  out += ',';
  out += json::serialize(json::string_view(e.actor.name));
  out += e.actor.is_user ? ",1," : ",0,";
  out += '"';
  out += SyncVerbName(e.verb);  // lower-case ASCII: nothing to escape
  out += "\",";
  out += json::serialize(json::string_view(e.object_id));
  out += ',';
  out += json::serialize(json::string_view(e.conversation_id.str()));
  out += ',';
  out += json::serialize(json::string_view(e.detail_json));
  out += ']';
}

// A sync_blocks row: its entries' seq and time range, and the entries as a JSON array.
struct BlockRow {
  int64_t first_seq = 0, last_seq = 0;
  TimeMs min_ts = 0, max_ts = 0;
  std::string entries = "[";

  // Appends one entry whose JSON is in `json`; entries come oldest first.
  void Add(int64_t seq, TimeMs ts, std::string_view json) {
    if (entries.size() == 1) {
      first_seq = seq;
      min_ts = max_ts = ts;
    } else {
      entries += ',';
    }
    last_seq = seq;
    min_ts = std::min(min_ts, ts);
    max_ts = std::max(max_ts, ts);
    entries += json;
  }
  bool empty() const { return entries.size() == 1; }
};

// The block's entries, oldest first. Entries of a verb this version does not know (written by a
// newer one) are left out: not ours to render.
Result<std::vector<SyncLogEntry>> DecodeBlock(const std::string& text) {
  std::vector<SyncLogEntry> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return Internal("sqlite: a sync log block does not parse");
  for (const json::value& item : v.get_array()) {
    const json::array* a = item.if_array();
    if (!a || a->size() != 8 || !(*a)[0].is_int64() || !(*a)[1].is_int64() ||
        !(*a)[2].is_string() || !(*a)[3].is_int64() || !(*a)[4].is_string() ||
        !(*a)[5].is_string() || !(*a)[6].is_string() || !(*a)[7].is_string()) {
      return Internal("sqlite: a sync log entry is malformed");
    }
    auto verb = ParseSyncVerb((*a)[4].get_string());
    if (!verb) continue;
    SyncLogEntry e;
    e.seq = (*a)[0].get_int64();
    e.ts = (*a)[1].get_int64();
    e.actor = SyncActor{(*a)[3].get_int64() != 0, std::string((*a)[2].get_string())};
    e.verb = *verb;
    e.object_id = (*a)[5].get_string();
    e.conversation_id = ConversationId(std::string((*a)[6].get_string()));
    e.detail_json = (*a)[7].get_string();
    out.push_back(std::move(e));
  }
  return out;
}

Status InsertBlock(Connection& db, const std::string& app, BlockRow block) {
  block.entries += ']';
  auto q = db.Prepare(
      "INSERT INTO sync_blocks (last_seq, first_seq, app, min_ts, max_ts, entries) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  q.Bind(1, block.last_seq).Bind(2, block.first_seq).Bind(3, app).Bind(4, block.min_ts);
  q.Bind(5, block.max_ts).Bind(6, block.entries);
  return q.Exec();
}

// The block's entries that are not past the limits, as they are (an entry of a verb this version
// does not know stays too); `past` is asked for the leading ones only.
template <class Past>
Result<BlockRow> KeptPart(const std::string& text, const Past& past) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return Internal("sqlite: a sync log block does not parse");
  BlockRow kept;
  bool cutting = true;
  for (const json::value& item : v.get_array()) {
    const json::array* a = item.if_array();
    if (!a || a->size() < 2 || !(*a)[0].is_int64() || !(*a)[1].is_int64()) {
      return Internal("sqlite: a sync log entry is malformed");
    }
    const int64_t seq = (*a)[0].get_int64();
    const TimeMs ts = (*a)[1].get_int64();
    if (cutting && past(seq, ts)) continue;
    cutting = false;
    kept.Add(seq, ts, json::serialize(item));
  }
  return kept;
}

// Oldest entries first, as long as they are past a limit: at most kPruneBlocks blocks are looked
// at, a block partly past the limits is rewritten with the rest. This runs at every commit, so
// the blocks' seq and time columns decide: a block is read only when it is cut in two.
Status Prune(Connection& db, const Limits& l, int64_t newest_seq, TimeMs now) {
  if (l.sync_log_max_rows == 0 && l.sync_log_max_age_ms <= 0) return Status::Ok();
  const int64_t keep_above =
      l.sync_log_max_rows ? newest_seq - static_cast<int64_t>(l.sync_log_max_rows) : 0;
  const TimeMs oldest_ts = l.sync_log_max_age_ms > 0 ? now - l.sync_log_max_age_ms : 0;
  const auto past = [&](int64_t seq, TimeMs ts) {
    return seq <= keep_above || (oldest_ts > 0 && ts < oldest_ts);
  };
  std::vector<BlockRow> blocks;
  {
    auto q = db.Prepare(
        "SELECT first_seq, last_seq, min_ts, max_ts FROM sync_blocks ORDER BY last_seq LIMIT ?1");
    q.Bind(1, kPruneBlocks);
    while (q.Next()) {
      BlockRow b;
      b.first_seq = q.Int(0);
      b.last_seq = q.Int(1);
      b.min_ts = q.Int(2);
      b.max_ts = q.Int(3);
      blocks.push_back(std::move(b));
    }
    RELAYER_RETURN_IF_ERROR(q.status());
  }
  for (const BlockRow& b : blocks) {
    // The oldest entry is kept (its seq is the block's first, its time at or after min_ts): so is
    // everything after it.
    if (!past(b.first_seq, b.min_ts)) break;
    // Every entry past a limit: the block goes whole, unread.
    const bool whole = b.last_seq <= keep_above || (oldest_ts > 0 && b.max_ts < oldest_ts);
    std::string app, text;
    if (!whole) {
      auto q = db.Prepare("SELECT app, entries FROM sync_blocks WHERE last_seq = ?1");
      q.Bind(1, b.last_seq);
      if (q.Next()) {
        app = q.Text(0);
        text = q.Text(1);
      }
      RELAYER_RETURN_IF_ERROR(q.status());
    }
    auto d = db.Prepare("DELETE FROM sync_blocks WHERE last_seq = ?1");
    d.Bind(1, b.last_seq);
    RELAYER_RETURN_IF_ERROR(d.Exec());
    if (whole) continue;
    RELAYER_ASSIGN_OR_RETURN(BlockRow kept, KeptPart(text, past));
    if (!kept.empty()) return InsertBlock(db, app, std::move(kept));
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> SyncLogBuffer::Append(Connection& db, std::string app, SyncLogEntry e) {
  if (last_seq_ < 0) {
    auto q = db.Prepare("SELECT last FROM sync_seq");
    last_seq_ = q.Next() ? q.Int(0) : 0;
    RELAYER_RETURN_IF_ERROR(q.status());
  }
  e.seq = ++last_seq_;
  pending_.push_back(Pending{std::move(app), std::move(e)});
  return last_seq_;
}

void SyncLogBuffer::Truncate(size_t mark) {
  if (mark >= pending_.size()) return;
  last_seq_ = pending_[mark].entry.seq - 1;
  pending_.resize(mark);
}

void SyncLogBuffer::Reset() {
  pending_.clear();
  last_seq_ = -1;
}

Status SyncLogBuffer::Flush(Connection& db, const Limits& limits) {
  if (pending_.empty()) return Status::Ok();
  std::vector<Pending> pending;
  pending.swap(pending_);
  const int64_t newest = pending.back().entry.seq;
  TimeMs now = 0;
  // One app's entries in blocks of up to kSyncBlockEntries, oldest first.
  std::map<std::string, std::pair<BlockRow, size_t>> by_app;  // the open block, its entry count
  std::string json;
  for (Pending& p : pending) {
    now = std::max(now, p.entry.ts);
    auto& [block, count] = by_app[p.app];
    json.clear();
    AppendEncoded(json, p.entry);
    block.Add(p.entry.seq, p.entry.ts, json);
    if (++count == kSyncBlockEntries) {
      RELAYER_RETURN_IF_ERROR(InsertBlock(db, p.app, std::exchange(block, BlockRow{})));
      count = 0;
    }
  }
  for (auto& [app, open] : by_app) {
    if (!open.first.empty()) RELAYER_RETURN_IF_ERROR(InsertBlock(db, app, std::move(open.first)));
  }
  auto q = db.Prepare("UPDATE sync_seq SET last = ?1");
  q.Bind(1, newest);
  RELAYER_RETURN_IF_ERROR(q.Exec());
  return Prune(db, limits, newest, now);
}

Status LogSync(OpContext& ctx, const AppId& app, TimeMs ts, const SyncEvent& e, WriteResult& out) {
  SyncLogEntry entry;
  entry.ts = ts;
  entry.actor = e.actor;
  entry.verb = e.verb;
  entry.object_id = e.object_id;
  entry.conversation_id = e.conversation;
  entry.detail_json = e.detail;
  RELAYER_ASSIGN_OR_RETURN(out.sync_log_seq,
                           ctx.sync_log.Append(ctx.db, app.str(), std::move(entry)));
  return Status::Ok();
}

Result<std::vector<SyncLogEntry>> ReadSyncLog(Connection& db, const AppId& app,
                                              const SyncLogFilter& f) {
  std::vector<SyncLogEntry> out;
  if (f.limit == 0) return out;
  // Blocks that may hold a match, in the order of the answer; the entries are then filtered
  // exactly. A block holds one app's entries, so an app's blocks never overlap. Numbered
  // parameters: the text varies with the filters, the bindings do not.
  const bool forward = f.after_seq.has_value();
  std::string sql = "SELECT entries FROM sync_blocks WHERE app = ?1";
  if (f.actor) sql += " AND instr(entries, ?2) > 0";
  if (f.conversation) sql += " AND instr(entries, ?3) > 0";
  if (f.from_ts > 0) sql += " AND max_ts >= ?4";
  if (f.to_ts > 0) sql += " AND min_ts < ?5";
  if (forward) sql += " AND last_seq > ?6";
  sql += " AND (?7 <= 0 OR first_seq < ?7)";  // always there: every parameter is in range
  sql += forward ? " ORDER BY last_seq ASC" : " ORDER BY last_seq DESC";
  auto q = db.Prepare(sql);
  q.Bind(1, app.str());
  // The quoted JSON strings, as the blocks hold them.
  q.Bind(2, f.actor ? json::serialize(json::string_view(f.actor->str())) : std::string());
  q.Bind(3, f.conversation ? json::serialize(json::string_view(f.conversation->str()))
                           : std::string());
  q.Bind(4, f.from_ts).Bind(5, f.to_ts).Bind(6, f.after_seq.value_or(0)).Bind(7, f.before_seq);
  const auto wanted = [&f](const SyncLogEntry& e) {
    if (f.actor && e.actor.name != f.actor->str()) return false;
    if (f.conversation && e.conversation_id != *f.conversation) return false;
    if (f.from_ts > 0 && e.ts < f.from_ts) return false;
    if (f.to_ts > 0 && e.ts >= f.to_ts) return false;
    if (f.after_seq && e.seq <= *f.after_seq) return false;
    if (f.before_seq > 0 && e.seq >= f.before_seq) return false;
    return true;
  };
  while (out.size() < f.limit && q.Next()) {
    RELAYER_ASSIGN_OR_RETURN(std::vector<SyncLogEntry> entries, DecodeBlock(q.Text(0)));
    if (!forward) std::reverse(entries.begin(), entries.end());
    for (SyncLogEntry& e : entries) {
      if (out.size() == f.limit) break;
      if (wanted(e)) out.push_back(std::move(e));
    }
  }
  RELAYER_RETURN_IF_ERROR(q.status());
  return out;
}

}  // namespace relayer::sqlite
