// Layer-Patch (application/vnd.layer-patch+json): parsing operations, applying them to
// conversation metadata, and building the patches pushed to clients.
// Property paths are dot-separated; a literal dot in a name is escaped as "\.".
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"

namespace relayer {

enum class PatchOpKind { kAdd, kRemove, kSet, kDelete };

struct PatchOp {
  PatchOpKind kind = PatchOpKind::kSet;
  std::vector<std::string> path;  // unescaped segments: "metadata.a\.b.c" -> {metadata, a.b, c}
  boost::json::value value;       // for set/add/remove (may be null)
  std::string id;                 // for add/remove by id (e.g. an identity id)
  bool has_value = false;
  bool has_id = false;
};

// Split "a\.b.c" into {"a.b", "c"}. Empty segments are an error.
Result<std::vector<std::string>> SplitPatchPath(std::string_view path);
// Join segments, escaping dots: {"a.b","c"} -> "a\.b.c".
std::string JoinPatchPath(const std::vector<std::string>& segments);
// Escape dots in one segment: "layer:///identities/a.b" -> "layer:///identities/a\.b".
std::string EscapePatchSegment(std::string_view segment);

// Parse a Layer-Patch document (a JSON array of operations). Checks shape only.
Result<std::vector<PatchOp>> ParsePatch(const boost::json::value& doc);

// What a patch does to a conversation, after validation against the conversation rules:
// only "participants" (add/remove/set) and "metadata[.path]" (set/delete) may be changed.
struct ConversationPatch {
  std::vector<UserId> add_participants;
  std::vector<UserId> remove_participants;
  std::optional<std::vector<UserId>> set_participants;
  std::vector<PatchOp> metadata_ops;  // path starts with "metadata"
};
Result<ConversationPatch> ToConversationPatch(const std::vector<PatchOp>& ops);

// Apply metadata set/delete ops to `metadata` (values must be strings or objects of strings,
// nested). On error `metadata` is unchanged.
Status ApplyMetadataOps(const std::vector<PatchOp>& ops, boost::json::object& metadata);

// Metadata values are strings or nested objects whose leaves are strings.
Status ValidateMetadata(const boost::json::value& metadata, std::string_view property = "metadata");

// Patches pushed in update changes.
boost::json::object PatchSet(std::string_view escaped_path, boost::json::value value);
boost::json::object PatchDelete(std::string_view escaped_path);

}  // namespace relayer
