#include "core/receipts.h"

#include <gtest/gtest.h>

namespace relayer {
namespace {

TEST(Receipts, DeliveryMovesSentToDelivered) {
  EXPECT_EQ(ApplyReceipt(ReceiptState::kSent, ReceiptType::kDelivery), ReceiptState::kDelivered);
}

TEST(Receipts, ReadImpliesDelivered) {
  EXPECT_EQ(ApplyReceipt(ReceiptState::kSent, ReceiptType::kRead), ReceiptState::kRead);
  EXPECT_EQ(ApplyReceipt(ReceiptState::kDelivered, ReceiptType::kRead), ReceiptState::kRead);
}

TEST(Receipts, NeverMovesBackwards) {
  EXPECT_EQ(ApplyReceipt(ReceiptState::kRead, ReceiptType::kDelivery), ReceiptState::kRead);
  EXPECT_EQ(ApplyReceipt(ReceiptState::kRead, ReceiptType::kRead), ReceiptState::kRead);
  EXPECT_EQ(ApplyReceipt(ReceiptState::kDelivered, ReceiptType::kDelivery),
            ReceiptState::kDelivered);
}

TEST(Receipts, StateNamesRoundTrip) {
  for (ReceiptState s : {ReceiptState::kSent, ReceiptState::kDelivered, ReceiptState::kRead}) {
    EXPECT_EQ(ParseReceiptState(ReceiptStateName(s)), s);
  }
  EXPECT_STREQ(ReceiptStateName(ReceiptState::kDelivered), "delivered");
  EXPECT_FALSE(ParseReceiptState("Read"));
  EXPECT_FALSE(ParseReceiptState(""));
}

TEST(Receipts, ParsesReceiptTypes) {
  EXPECT_EQ(ParseReceiptType("delivery"), ReceiptType::kDelivery);
  EXPECT_EQ(ParseReceiptType("read"), ReceiptType::kRead);
  EXPECT_FALSE(ParseReceiptType("delivered"));
  EXPECT_FALSE(ParseReceiptType("sent"));
}

}  // namespace
}  // namespace relayer
