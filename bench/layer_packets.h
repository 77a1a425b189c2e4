// layer-2.0 packets as the bench writes and reads them: request packets, and field lookups that
// tolerate anything the server might send.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace relayer::bench {

// {"type":"request","body":{method, request_id, object_id?, data}}
std::string RequestPacket(std::string_view method, std::string_view request_id,
                          std::string_view object_id, boost::json::object data);
// Message.create into `conversation_id` with one text/plain part.
std::string MessageCreatePacket(std::string_view request_id, std::string_view conversation_id,
                                std::string_view text);

// The sequence number a scenario puts first in a message body ("seq=123 ..."), or -1.
int64_t SeqOf(std::string_view body);

// v["a"]["b"]... or nullptr when a step is missing or not an object.
const boost::json::value* Path(const boost::json::value& v,
                               std::initializer_list<const char*> keys);
bool Is(const boost::json::value* v, std::string_view s);
// The string at `v`, or "" when it is not a string.
std::string_view Str(const boost::json::value* v);
// The integer at `v`, or -1 when it is not a whole number.
int64_t Int(const boost::json::value* v);

}  // namespace relayer::bench
