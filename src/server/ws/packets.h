// WebSocket packets of the layer-2.0 subprotocol: {type, counter, timestamp, body}. Bodies are
// rendered once as JSON text; the connection adds its own counter when it sends them.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace relayer::server {

// {"type":TYPE,"counter":N,"timestamp":TS,"body":BODY} as one WebSocket text frame appended to
// `out`, without an intermediate copy.
void AppendPacketFrame(std::string& out, std::string_view type, uint64_t counter, TimeMs timestamp,
                       std::string_view body_json);

const char* ObjectTypeName(
    ObjectType t);  // "Conversation" | "Message" | "Identity" | "Announcement"
std::string ObjectIdUrl(ObjectType t, const std::string& id);  // layer:///...

// The body of a change packet around `data_json`, JSON text already rendered: the object
// (create), the patch array (update) or {mode, from_position} (delete). Spliced as text, so a
// message rendered once goes into every socket's packet without a copy of its DOM.
std::string ChangeBody(const Change& change, std::string_view data_json,
                       const std::string& base_url);

// The data of an update or delete as the JSON text its packet carries ("null" when empty).
std::string_view ChangeDataJson(const Change& change);
// Whether that text is JSON (creates carry none): checked where data comes from another node
// or is read back from the store; the local writer's own is JSON by construction.
bool ChangeDataIsJson(const Change& change);

// Parses an ISO 8601 / RFC 3339 UTC time ("2026-11-25T17:00:00.123Z", "+00:00" also accepted).
std::optional<TimeMs> ParseTime(std::string_view text);

}  // namespace relayer::server
