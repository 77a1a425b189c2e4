// Small text helpers of the XMPP transport, written for its hot path: they append to a caller's
// buffer (reused from stanza to stanza) and never throw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "xml_stream.h"

namespace relayer::bench {

constexpr uint64_t kNotANumber = static_cast<uint64_t>(-1);

// XML character data or attribute value: & < > ' " escaped.
void AppendEscaped(std::string& out, std::string_view text);
void AppendUint(std::string& out, uint64_t v);
void AppendBase64(std::string& out, std::string_view bytes);
// A whole decimal number ("12", not "12a" nor ""), or kNotANumber.
uint64_t ParseUint(std::string_view s);
// "seq=123 ..." → 123, or kNotANumber.
uint64_t SeqFromBody(std::string_view body);
inline char AsciiLowerChar(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
std::string AsciiLower(std::string_view s);
// What an error element says: the name of its condition child and its <text/>, e.g.
// "service-unavailable: Recipient is offline". `e` is the <error/> (or the <failure/>,
// <stream:error/> itself); kNone gives "no error details".
std::string DescribeError(const XmlStanza& st, size_t e);

}  // namespace relayer::bench
