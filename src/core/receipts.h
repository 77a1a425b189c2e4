// Receipt rules: sent -> delivered -> read, never backwards; read implies delivered.
#pragma once

#include <optional>
#include <string_view>

#include "core/model.h"

namespace relayer {

// The state after applying `type` to `current`; equal to `current` when the receipt changes
// nothing.
ReceiptState ApplyReceipt(ReceiptState current, ReceiptType type);

const char* ReceiptStateName(ReceiptState s);  // "sent" | "delivered" | "read"
std::optional<ReceiptState> ParseReceiptState(std::string_view s);
std::optional<ReceiptType> ParseReceiptType(std::string_view s);  // "delivery" | "read"

}  // namespace relayer
