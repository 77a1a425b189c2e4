#include "unit/store/store_fixture.h"

#include <cstdio>
#include <filesystem>

namespace relayer::testing {
namespace {

std::string Uuid(uint64_t prefix, uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(prefix), static_cast<unsigned long long>(n));
  return buf;
}

std::atomic<uint64_t> next_id{1};

}  // namespace

UserId U(const std::string& s) { return UserId(s); }

void StoreConformance::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "_" + info->name();
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  auto dir = std::filesystem::temp_directory_path() / ("relayer_store_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  location_ = dir.string();
  std::string test = info->name();
  test = test.substr(0, test.rfind('/'));  // "Name/Backend" -> "Name"
  if (GetParam().unavailable) {
    if (std::string why = GetParam().unavailable(); !why.empty()) GTEST_SKIP() << why;
  }
  if (GetParam().pending.count(test)) {
    GTEST_SKIP() << "not implemented on " << GetParam().name << " yet";
  }
  Open();
}

void StoreConformance::TearDown() {
  Close();
  if (GetParam().cleanup) GetParam().cleanup(location_);
  std::filesystem::remove_all(location_);
}

void StoreConformance::Open(const Limits& limits, size_t max_batch) {
  Close();
  auto opened = GetParam().open(location_, limits, max_batch);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  store_ = std::move(opened).value();
}

void StoreConformance::Close() {
  if (store_) store_->Close();
  store_.reset();
}

ConversationId StoreConformance::NewConversationId() {
  return ConversationId(Uuid(0xc0, next_id++));
}

MessageId StoreConformance::NewMessageId() { return MessageId(Uuid(0x3e, next_id++)); }

CreateConversationOp StoreConformance::ConversationOp(const std::string& creator,
                                                      std::vector<std::string> others,
                                                      bool distinct) {
  CreateConversationOp op;
  op.app_id = app_;
  op.generated_id = NewConversationId();
  op.creator = U(creator);
  for (const auto& o : others) op.participants.push_back(U(o));
  op.distinct = distinct;
  op.now = Now();
  return op;
}

Conversation StoreConformance::MakeConversation(const std::string& creator,
                                                std::vector<std::string> others, bool distinct,
                                                std::optional<boost::json::object> metadata) {
  CreateConversationOp op = ConversationOp(creator, std::move(others), distinct);
  op.metadata = std::move(metadata);
  WriteResult r = Write(op);
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(r.conversation.has_value());
  return r.conversation.value_or(Conversation{});
}

CreateMessageOp StoreConformance::MessageOp(const ConversationId& conversation,
                                            const std::string& sender, const std::string& text) {
  CreateMessageOp op;
  op.app_id = app_;
  op.conversation_id = conversation;
  op.generated_id = NewMessageId();
  op.sender.user_id = U(sender);
  op.parts.push_back(MessagePart{"text/plain", text, "", std::nullopt});
  op.now = Now();
  return op;
}

std::vector<int64_t> StoreConformance::SendStamped(const ConversationId& conversation,
                                                   const std::string& sender,
                                                   const std::vector<TimeMs>& stamps) {
  std::vector<int64_t> seqs;
  for (TimeMs stamp : stamps) {
    CreateMessageOp op = MessageOp(conversation, sender);
    op.now = stamp;
    WriteResult r = Write(op);
    EXPECT_TRUE(r.status.ok()) << r.status.message();
    seqs.push_back(r.changes.empty() ? -1 : r.changes[0].seq);
  }
  return seqs;
}

Message StoreConformance::Send(const ConversationId& conversation, const std::string& sender,
                               const std::string& text) {
  WriteResult r = Write(MessageOp(conversation, sender, text));
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(r.message.has_value());
  return r.message.value_or(Message{});
}

void StoreConformance::Receipt(const MessageId& message, const std::string& user,
                               ReceiptType type) {
  WriteResult r = Write(PostReceiptOp{app_, message, U(user), type, Now()});
  EXPECT_TRUE(r.status.ok()) << r.status.message();
}

int64_t StoreConformance::Unread(const ConversationId& conversation, const std::string& user) {
  auto c = store_->GetConversation(app_, U(user), conversation);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? c->unread_message_count : -1;
}

std::vector<Change> StoreConformance::Changes(const std::string& user, int64_t after_seq) {
  auto changes = store_->ChangesFor(app_, U(user), after_seq, 0, 100000);
  EXPECT_TRUE(changes.ok()) << changes.status().message();
  return changes.ok() ? changes.value() : std::vector<Change>{};
}

}  // namespace relayer::testing
