// Layer's JSON representations, read into the SDK's records and written from its values.
// Tolerates anything the server might send: a missing or mistyped field reads as empty.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "client/records.h"
#include "relayer/message_part.h"
#include "relayer/types.h"

namespace relayer::sdk {

struct Codec {
  // "layer:///identities/al%20ice" <-> "al ice".
  static std::string UserOfIdentity(std::string_view identity_id);
  static std::string IdentityOfUser(std::string_view user_id);
  // RFC 3986 percent-encoding of everything but unreserved characters (paths, query values).
  static std::string PercentEncode(std::string_view text);
  // The last path segment of a Layer id ("layer:///messages/UUID" -> "UUID").
  static std::string Uuid(std::string_view layer_id);
  static std::string NewUuid();

  static std::string Base64Encode(std::string_view bytes);
  static bool Base64Decode(std::string_view text, std::string& out);
  static bool IsUtf8(std::string_view s);

  static ReceiptState ParseState(std::string_view s);
  static std::chrono::system_clock::time_point ParseTime(std::string_view iso);

  // Fills `rec` (under its lock, held by the caller) from a message object.
  static void ReadMessage(const boost::json::object& o, MessageRecord& rec);
  static void ReadConversation(const boost::json::object& o, ConversationRecord& rec);
  // A part as it goes into a POST body: {mime_type, body[, encoding]} (inline) or content.
  static boost::json::object PartJson(const MessagePart& part);
  static MessagePart ReadPart(const boost::json::object& o);
  static void SetContent(MessagePart& part, ContentInfo content);
  static void SetBody(MessagePart& part, std::string body);
  static void FlattenMetadata(const boost::json::value& v, const std::string& prefix,
                              Metadata& out);
  static boost::json::object MetadataJson(const Metadata& m);
};

// Field lookups that never throw: the string / integer / object at `key`, or empty.
std::string JStr(const boost::json::object& o, std::string_view key);
int64_t JInt(const boost::json::object& o, std::string_view key);
const boost::json::object* JObj(const boost::json::object& o, std::string_view key);

}  // namespace relayer::sdk
