#include "core/receipts.h"

namespace relayer {

ReceiptState ApplyReceipt(ReceiptState current, ReceiptType type) {
  ReceiptState wanted = type == ReceiptType::kRead ? ReceiptState::kRead : ReceiptState::kDelivered;
  return static_cast<int>(wanted) > static_cast<int>(current) ? wanted : current;
}

const char* ReceiptStateName(ReceiptState s) {
  switch (s) {
    case ReceiptState::kSent:
      return "sent";
    case ReceiptState::kDelivered:
      return "delivered";
    case ReceiptState::kRead:
      return "read";
  }
  return "sent";
}

std::optional<ReceiptState> ParseReceiptState(std::string_view s) {
  if (s == "sent") return ReceiptState::kSent;
  if (s == "delivered") return ReceiptState::kDelivered;
  if (s == "read") return ReceiptState::kRead;
  return std::nullopt;
}

std::optional<ReceiptType> ParseReceiptType(std::string_view s) {
  if (s == "delivery") return ReceiptType::kDelivery;
  if (s == "read") return ReceiptType::kRead;
  return std::nullopt;
}

}  // namespace relayer
