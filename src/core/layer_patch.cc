#include "core/layer_patch.h"

#include <algorithm>
#include <utility>

#include "core/ids.h"

namespace relayer {
namespace {

namespace json = boost::json;

const char* JsonKindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "unknown";
}

std::optional<PatchOpKind> ParseOpKind(std::string_view s) {
  if (s == "add") return PatchOpKind::kAdd;
  if (s == "remove") return PatchOpKind::kRemove;
  if (s == "set") return PatchOpKind::kSet;
  if (s == "delete") return PatchOpKind::kDelete;
  return std::nullopt;
}

const char* OpKindName(PatchOpKind kind) {
  switch (kind) {
    case PatchOpKind::kAdd:
      return "add";
    case PatchOpKind::kRemove:
      return "remove";
    case PatchOpKind::kSet:
      return "set";
    case PatchOpKind::kDelete:
      return "delete";
  }
  return "set";
}

Result<PatchOp> ParseOp(const json::value& v, size_t index) {
  const std::string where = "operation " + std::to_string(index) + ": ";
  const json::object* obj = v.if_object();
  if (!obj) {
    return InvalidRequest(where + "each Layer-Patch operation must be a JSON object, got " +
                          JsonKindName(v));
  }
  PatchOp op;
  const json::value* operation = obj->if_contains("operation");
  if (!operation) return MissingProperty("operation", where + "\"operation\" is required");
  if (!operation->is_string()) {
    return InvalidProperty(
        "operation", where + "\"operation\" must be a string, got " + JsonKindName(*operation));
  }
  auto kind = ParseOpKind(operation->get_string());
  if (!kind) {
    return InvalidProperty("operation", where + "unknown operation '" +
                                            std::string(operation->get_string()) +
                                            "'; expected add, remove, set or delete");
  }
  op.kind = *kind;

  const json::value* property = obj->if_contains("property");
  if (!property) return MissingProperty("property", where + "\"property\" is required");
  if (!property->is_string()) {
    return InvalidProperty("property",
                           where + "\"property\" must be a string, got " + JsonKindName(*property));
  }
  if (property->get_string().empty()) {
    return MissingProperty("property", where + "\"property\" must not be empty");
  }
  auto path = SplitPatchPath(property->get_string());
  if (!path.ok()) return path.status();
  op.path = std::move(path).value();

  if (const json::value* value = obj->if_contains("value")) {
    op.value = *value;
    op.has_value = true;
  }
  if (const json::value* id = obj->if_contains("id")) {
    if (!id->is_string()) {
      return InvalidProperty("id", where + "\"id\" must be a string, got " + JsonKindName(*id));
    }
    op.id = std::string(id->get_string());
    op.has_id = true;
  }
  const std::string prop(property->get_string());
  if (op.kind == PatchOpKind::kSet && !op.has_value) {
    return MissingProperty("value", where + "set of '" + prop + "' needs a \"value\"");
  }
  if ((op.kind == PatchOpKind::kAdd || op.kind == PatchOpKind::kRemove) && !op.has_value &&
      !op.has_id) {
    return MissingProperty(
        "value", where + OpKindName(op.kind) + " on '" + prop + "' needs an \"id\" or a \"value\"");
  }
  return op;
}

// An identity reference in a participants op: an identity id or user id string, or an
// identity object carrying one.
std::optional<UserId> IdentityFromValue(const json::value& v) {
  if (v.is_string()) return ParseIdentityRef(v.get_string());
  if (const json::object* o = v.if_object()) {
    if (const json::value* id = o->if_contains("id"); id && id->is_string()) {
      return ParseIdentityRef(id->get_string());
    }
    if (const json::value* uid = o->if_contains("user_id"); uid && uid->is_string()) {
      return ParseIdentityRef(uid->get_string());
    }
  }
  return std::nullopt;
}

Result<UserId> ParticipantOfOp(const PatchOp& op) {
  std::optional<UserId> user;
  if (op.has_id) {
    user = ParseIdentityRef(op.id);
    if (!user) return InvalidProperty("participants", "invalid identity id '" + op.id + "'");
  } else {
    user = IdentityFromValue(op.value);
    if (!user) {
      return InvalidProperty("participants",
                             "participant must be an identity id or user id string, got " +
                                 std::string(JsonKindName(op.value)));
    }
  }
  return *user;
}

void Erase(std::vector<UserId>& v, const UserId& u) { std::erase(v, u); }
void AddUnique(std::vector<UserId>& v, const UserId& u) {
  if (std::find(v.begin(), v.end(), u) == v.end()) v.push_back(u);
}

// Folds one participants op into `patch` so that the result equals applying all ops in order:
// a later op on the same user wins, and a set discards earlier adds and removes.
Status FoldParticipantsOp(const PatchOp& op, ConversationPatch& patch) {
  switch (op.kind) {
    case PatchOpKind::kAdd:
    case PatchOpKind::kRemove: {
      auto user = ParticipantOfOp(op);
      if (!user.ok()) return user.status();
      bool add = op.kind == PatchOpKind::kAdd;
      if (patch.set_participants) {
        Erase(*patch.set_participants, *user);
        if (add) patch.set_participants->push_back(*user);
      } else {
        Erase(add ? patch.remove_participants : patch.add_participants, *user);
        AddUnique(add ? patch.add_participants : patch.remove_participants, *user);
      }
      return Status::Ok();
    }
    case PatchOpKind::kSet: {
      const json::array* arr = op.value.if_array();
      if (!arr) {
        return InvalidProperty("participants", "set of participants needs an array, got " +
                                                   std::string(JsonKindName(op.value)));
      }
      std::vector<UserId> users;
      for (const json::value& v : *arr) {
        auto user = IdentityFromValue(v);
        if (!user) {
          return InvalidProperty("participants",
                                 "participants must be identity ids or user id strings");
        }
        AddUnique(users, *user);
      }
      patch.set_participants = std::move(users);
      patch.add_participants.clear();
      patch.remove_participants.clear();
      return Status::Ok();
    }
    case PatchOpKind::kDelete:
      return InvalidProperty("participants", "participants cannot be deleted; use set or remove");
  }
  return Status::Ok();
}

// The value a metadata key may hold: a string, or an object whose leaves are strings.
Status ValidateMetadataValue(const json::value& v, const std::string& property) {
  if (v.is_string()) return Status::Ok();
  const json::object* obj = v.if_object();
  if (!obj) {
    return InvalidProperty(
        property, property + " must be a string or an object of strings, got " + JsonKindName(v));
  }
  for (const auto& [key, child] : *obj) {
    Status s = ValidateMetadataValue(child, property + "." + EscapePatchSegment(key));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ApplyMetadataOp(const PatchOp& op, json::object& metadata) {
  const std::string property = JoinPatchPath(op.path);
  if (op.path.empty() || op.path[0] != "metadata") {
    return InvalidProperty(property, "'" + property + "' is not a metadata property");
  }
  if (op.kind != PatchOpKind::kSet && op.kind != PatchOpKind::kDelete) {
    return InvalidProperty(
        property, std::string("metadata supports set and delete, not ") + OpKindName(op.kind));
  }
  if (op.path.size() == 1) {
    if (op.kind == PatchOpKind::kDelete) {
      metadata.clear();
      return Status::Ok();
    }
    if (!op.value.is_object()) {
      return InvalidProperty(
          property, "metadata must be an object, got " + std::string(JsonKindName(op.value)));
    }
    Status s = ValidateMetadata(op.value, property);
    if (!s.ok()) return s;
    metadata = op.value.get_object();
    return Status::Ok();
  }
  if (op.kind == PatchOpKind::kSet) {
    Status s = ValidateMetadataValue(op.value, property);
    if (!s.ok()) return s;
  }
  json::object* node = &metadata;
  for (size_t i = 1; i + 1 < op.path.size(); ++i) {
    json::value* child = node->if_contains(op.path[i]);
    if (!child) {
      if (op.kind == PatchOpKind::kDelete) return Status::Ok();  // nothing there to delete
      child = &(*node)[op.path[i]];
      *child = json::object();
    } else if (!child->is_object()) {
      if (op.kind == PatchOpKind::kDelete) return Status::Ok();
      std::vector<std::string> prefix(op.path.begin(), op.path.begin() + i + 1);
      return InvalidProperty(property, "cannot set '" + property + "': '" + JoinPatchPath(prefix) +
                                           "' is a string, not an object");
    }
    node = &child->get_object();
  }
  if (op.kind == PatchOpKind::kDelete) {
    node->erase(op.path.back());
  } else {
    (*node)[op.path.back()] = op.value;
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> SplitPatchPath(std::string_view path) {
  std::vector<std::string> segments;
  std::string current;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\' && i + 1 < path.size() && path[i + 1] == '.') {
      current.push_back('.');
      ++i;
    } else if (path[i] == '.') {
      if (current.empty()) {
        return InvalidProperty("property",
                               "property '" + std::string(path) + "' has an empty path segment");
      }
      segments.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(path[i]);
    }
  }
  if (current.empty()) {
    return InvalidProperty("property", path.empty() ? std::string("property must not be empty")
                                                    : "property '" + std::string(path) +
                                                          "' has an empty path segment");
  }
  segments.push_back(std::move(current));
  return segments;
}

std::string EscapePatchSegment(std::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  for (char c : segment) {
    if (c == '.') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string JoinPatchPath(const std::vector<std::string>& segments) {
  std::string out;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) out.push_back('.');
    out += EscapePatchSegment(segments[i]);
  }
  return out;
}

Result<std::vector<PatchOp>> ParsePatch(const json::value& doc) {
  const json::array* arr = doc.if_array();
  if (!arr) {
    return InvalidRequest(
        std::string("a Layer-Patch body must be a JSON array of operations, got ") +
        JsonKindName(doc));
  }
  std::vector<PatchOp> ops;
  ops.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    auto op = ParseOp((*arr)[i], i);
    if (!op.ok()) return op.status();
    ops.push_back(std::move(op).value());
  }
  return ops;
}

Result<ConversationPatch> ToConversationPatch(const std::vector<PatchOp>& ops) {
  ConversationPatch patch;
  for (const PatchOp& op : ops) {
    const std::string property = JoinPatchPath(op.path);
    if (op.path.size() == 1 && op.path[0] == "participants") {
      Status s = FoldParticipantsOp(op, patch);
      if (!s.ok()) return s;
    } else if (!op.path.empty() && op.path[0] == "metadata") {
      // Dry run on a scratch object catches bad values and operations before any store work.
      json::object scratch;
      Status s = ApplyMetadataOp(op, scratch);
      if (!s.ok()) return s;
      patch.metadata_ops.push_back(op);
    } else {
      return InvalidProperty(property, "property '" + property +
                                           "' cannot be patched; only participants and "
                                           "metadata may be changed");
    }
  }
  return patch;
}

Status ApplyMetadataOps(const std::vector<PatchOp>& ops, json::object& metadata) {
  json::object updated = metadata;
  for (const PatchOp& op : ops) {
    Status s = ApplyMetadataOp(op, updated);
    if (!s.ok()) return s;
  }
  metadata = std::move(updated);
  return Status::Ok();
}

Status ValidateMetadata(const json::value& metadata, std::string_view property) {
  const std::string prop(property);
  if (!metadata.is_object()) {
    return InvalidProperty(prop, prop + " must be an object, got " + JsonKindName(metadata));
  }
  return ValidateMetadataValue(metadata, prop);
}

json::object PatchSet(std::string_view escaped_path, json::value value) {
  json::object op;
  op["operation"] = "set";
  op["property"] = escaped_path;
  op["value"] = std::move(value);
  return op;
}

json::object PatchDelete(std::string_view escaped_path) {
  json::object op;
  op["operation"] = "delete";
  op["property"] = escaped_path;
  return op;
}

}  // namespace relayer
