// How the client commands show messages and receipts: one human-readable line each, or one JSON
// object per line (tail --json) for scripts.
#pragma once

#include <string>

#include "relayer/message.h"
#include "relayer/types.h"

namespace relayer::apps {

using namespace relayer::sdk;

// The state the sender sees: the least advanced of the other participants' states, as a mark:
// "…" still queued, "✓" sent, "✓✓" delivered to all, "read" read by all.
ReceiptState LeastRecipientState(const Message& m);
const char* ReceiptMark(ReceiptState state);

std::string SenderName(const Message& m);
// Text parts as they are, other parts as "[mime, N bytes]", joined by " ".
std::string PartsText(const Message& m);
std::string ClockTime(const Message& m);           // "HH:MM:SS" local time of sentAt()
std::string ShortId(const std::string& layer_id);  // first 8 characters of the UUID

std::string MessageLine(const Message& m);
std::string ReceiptLine(const Message& m, const std::string& user, ReceiptState state);
std::string MessageJson(const Message& m);
std::string ReceiptJson(const Message& m, const std::string& user, ReceiptState state);

}  // namespace relayer::apps
