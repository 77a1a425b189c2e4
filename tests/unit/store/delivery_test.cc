// Delivery in the store: push tokens, webhooks, the events writes record, the outbox.
#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

Webhook Hook(const AppId& app, const std::string& id, std::vector<std::string> events,
             WebhookStatus status = WebhookStatus::kActive) {
  Webhook w;
  w.id = id;
  w.app = app;
  w.target_url = "http://127.0.0.1:1/hook";
  w.events = std::move(events);
  w.secret = "s";
  w.status = status;
  return w;
}

std::vector<std::string> Devices(Store& store, const AppId& app, const std::string& user) {
  auto tokens = store.PushTokens(app, {U(user)});
  std::vector<std::string> out;
  if (tokens.ok()) {
    for (const auto& t : *tokens) out.push_back(t.device_id);
  }
  return out;
}

TEST_P(StoreConformance, PushTokensKeepTheMostRecentlyUsedAndMoveWithTheirDevice) {
  auto reg = [&](const std::string& user, const std::string& device, const std::string& token) {
    RegisterPushTokenOp op;
    op.app_id = app_;
    op.token.user_id = U(user);
    op.token.device_id = device;
    op.token.token = token;
    op.token.type = "gcm";
    op.max_per_user = 2;
    op.now = Now();
    ASSERT_TRUE(Write(op).status.ok());
  };
  reg("bob", "d1", "t1");
  reg("bob", "d2", "t2");
  reg("bob", "d1", "t1");  // d1 used again
  reg("bob", "d3", "t3");  // evicts d2
  EXPECT_EQ(Devices(store(), app_, "bob"), (std::vector<std::string>{"d1", "d3"}));
  reg("carol", "d3", "t3b");  // the device changes hands
  EXPECT_EQ(Devices(store(), app_, "bob"), (std::vector<std::string>{"d1"}));
  EXPECT_EQ(Devices(store(), app_, "carol"), (std::vector<std::string>{"d3"}));
  EXPECT_EQ(Write(DeletePushTokenOp{app_, U("bob"), "d3"}).status.code(), ErrorCode::kNotFound);
  EXPECT_TRUE(Write(DeletePushTokenOp{app_, U("carol"), "d3"}).status.ok());
  EXPECT_TRUE(Devices(store(), app_, "carol").empty());
}

TEST_P(StoreConformance, EventsAreRecordedOnlyForActiveSubscribersInTheWritesTransaction) {
  Conversation c = MakeConversation("alice", {"bob"});
  EXPECT_EQ(Write(MessageOp(c.id, "alice")).delivery_events, 0u);  // nobody wants it
  ASSERT_TRUE(
      Write(CreateWebhookOp{Hook(app_, "w-off", {"message.sent"}, WebhookStatus::kInactive)})
          .status.ok());
  EXPECT_EQ(Write(MessageOp(c.id, "alice")).delivery_events, 0u);
  ASSERT_TRUE(
      Write(CreateWebhookOp{Hook(app_, "w-on", {"message.sent", "message.deleted"})}).status.ok());
  WriteResult sent = Write(MessageOp(c.id, "alice", "kept"));
  EXPECT_EQ(sent.delivery_events, 1u);
  EXPECT_EQ(Write(ConversationOp("alice", {"dave"})).delivery_events, 0u);  // not subscribed
  DeleteMessageOp del{app_, sent.message->id, U("alice"), DeletionMode::kAllParticipants, Now()};
  EXPECT_EQ(Write(del).delivery_events, 1u);
  auto events = store().PendingDeliveryEvents(100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].type, "message.sent");
  EXPECT_EQ((*events)[0].actor.user_id, U("alice"));
  EXPECT_EQ((*events)[1].type, "message.deleted");
  ASSERT_TRUE((*events)[1].message.has_value());  // the deleted message, as it was
  EXPECT_EQ((*events)[1].message->parts.at(0).body, "kept");
  EXPECT_LT((*events)[0].seq, (*events)[1].seq);
}

TEST_P(StoreConformance, AMessageWithANotificationIsRecordedWhenARecipientHasAToken) {
  Conversation c = MakeConversation("alice", {"bob"});
  RegisterPushTokenOp reg;
  reg.app_id = app_;
  reg.token = PushToken{U("bob"), "d", "t", "apns", "", "", 0, 0};
  reg.now = Now();
  ASSERT_TRUE(Write(reg).status.ok());
  EXPECT_EQ(Write(MessageOp(c.id, "alice")).delivery_events, 0u);  // no notification
  CreateMessageOp op = MessageOp(c.id, "alice");
  op.notification = boost::json::object{{"text", "hi"}};
  EXPECT_EQ(Write(op).delivery_events, 1u);
  CreateMessageOp from_bob = MessageOp(c.id, "bob");  // alice has no token
  from_bob.notification = boost::json::object{{"text", "hi"}};
  EXPECT_EQ(Write(from_bob).delivery_events, 0u);
}

// Whether an app has any token is known to the writer between messages (hot_rows.h): a token
// registered, or removed, after messages that found none or one changes what the next records.
TEST_P(StoreConformance, ANotificationFollowsTheTokensRegisteredAndRemovedBetweenMessages) {
  Conversation c = MakeConversation("alice", {"bob"});
  auto notified = [&] {
    CreateMessageOp op = MessageOp(c.id, "alice");
    op.notification = boost::json::object{{"text", "hi"}};
    return Write(op).delivery_events;
  };
  EXPECT_EQ(notified(), 0u);  // the app has no token at all
  EXPECT_EQ(notified(), 0u);
  RegisterPushTokenOp reg;
  reg.app_id = app_;
  reg.token = PushToken{U("bob"), "d", "t", "apns", "", "", 0, 0};
  reg.now = Now();
  ASSERT_TRUE(Write(reg).status.ok());
  EXPECT_EQ(notified(), 1u);
  EXPECT_EQ(notified(), 1u);
  ASSERT_TRUE(Write(DeletePushTokenOp{app_, U("bob"), "d"}).status.ok());
  EXPECT_EQ(notified(), 0u);
}

TEST_P(StoreConformance, ScheduledDeliveriesConsumeEventsAndLeaveTheQueueOnlyWhenDone) {
  ASSERT_TRUE(Write(CreateWebhookOp{Hook(app_, "w1", {"conversation.created"})}).status.ok());
  MakeConversation("alice", {"bob"});
  MakeConversation("alice", {"carol"});
  auto events = store().PendingDeliveryEvents(100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  ScheduleDeliveriesOp schedule;
  schedule.through_seq = events->back().seq;
  for (int i = 0; i < 2; ++i) {
    Delivery d;
    d.app = app_;
    d.queue = "w1";
    d.request_id = "r" + std::to_string(i);
    d.event_type = "conversation.created";
    d.body = "{}";
    d.next_attempt_at = Now();
    schedule.deliveries.push_back(d);
  }
  WriteResult r = Write(schedule);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.queues, std::vector<std::string>{"w1"});
  EXPECT_TRUE(store().PendingDeliveryEvents(100)->empty());
  EXPECT_EQ(*store().DeliveryQueues(), std::vector<std::string>{"w1"});

  auto head = store().NextDelivery("w1");
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->request_id, "r0");
  ASSERT_TRUE((*head)->webhook.has_value());
  const int64_t first = (*head)->id;
  const TimeMs t = Now();
  ASSERT_TRUE(
      Write(FinishDeliveryOp{first, AttemptOutcome::kRetry, t + 100, "HTTP 500", t}).status.ok());
  head = store().NextDelivery("w1");
  EXPECT_EQ((*head)->id, first);  // still the head, one attempt later
  EXPECT_EQ((*head)->attempts, 1);
  EXPECT_EQ((*head)->first_attempt_at, t);
  EXPECT_EQ((*head)->next_attempt_at, t + 100);
  WriteResult paused =
      Write(FinishDeliveryOp{first, AttemptOutcome::kPauseWebhook, t + 200, "gave up", t + 1});
  ASSERT_TRUE(paused.status.ok());
  EXPECT_EQ(store().GetWebhook(app_, "w1")->status, WebhookStatus::kInactive);
  EXPECT_EQ(store().GetWebhook(app_, "w1")->status_reason, "gave up");
  // Reactivation restarts the retry window.
  ASSERT_TRUE(Write(SetWebhookStatusOp{app_, "w1", WebhookStatus::kActive, "", std::nullopt, t + 5})
                  .status.ok());
  head = store().NextDelivery("w1");
  EXPECT_FALSE((*head)->first_attempt_at.has_value());
  EXPECT_EQ((*head)->next_attempt_at, t + 5);
  ASSERT_TRUE(Write(FinishDeliveryOp{first, AttemptOutcome::kDelivered, 0, "", t}).status.ok());
  EXPECT_EQ((*store().NextDelivery("w1"))->request_id, "r1");
  ASSERT_TRUE(Write(DeleteWebhookOp{app_, "w1"}).status.ok());
  EXPECT_FALSE(store().NextDelivery("w1")->has_value());  // its queue went with it
}

TEST_P(StoreConformance, SchedulingConsumesExactlyTheListedEventsOnce) {
  for (int i = 0; i < 2; ++i) {
    SendNotificationOp n{app_, {U("bob")}, boost::json::object{{"text", "hi"}}, Now()};
    ASSERT_EQ(Write(n).delivery_events, 1u);
  }
  auto events = store().PendingDeliveryEvents(100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  ScheduleDeliveriesOp schedule;
  schedule.through_seq = (*events)[1].seq;  // the list wins: the second event stays pending
  schedule.event_seqs = {(*events)[0].seq};
  Delivery d;
  d.app = app_;
  d.queue = PushQueue(U("bob"));
  d.request_id = "r0";
  d.event_type = kNotificationEvent;
  d.body = "{}";
  d.next_attempt_at = Now();
  schedule.deliveries = {d};
  ASSERT_TRUE(Write(schedule).status.ok());
  events = store().PendingDeliveryEvents(100);
  ASSERT_EQ(events->size(), 1u);
  // Scheduling a consumed event again (as a second node would) writes nothing.
  schedule.event_seqs.push_back((*events)[0].seq);
  EXPECT_EQ(Write(schedule).status.code(), ErrorCode::kConflict);
  EXPECT_EQ(store().PendingDeliveryEvents(100)->size(), 1u);
  auto head = store().NextDelivery(d.queue);
  ASSERT_TRUE(head.ok() && head->has_value());
  ASSERT_TRUE(
      Write(FinishDeliveryOp{(*head)->id, AttemptOutcome::kDelivered, 0, "", Now()}).status.ok());
  EXPECT_FALSE(store().NextDelivery(d.queue)->has_value());  // one delivery, not two
}

TEST_P(StoreConformance, ConfigWebhooksAreSyncedKeepingTheStatusOfUnchangedOnes) {
  SyncConfigWebhooksOp sync;
  sync.app_id = app_;
  sync.webhooks = {Hook(app_, "c1", {"message.sent"}), Hook(app_, "c2", {"message.read"})};
  sync.now = Now();
  ASSERT_TRUE(Write(sync).status.ok());
  ASSERT_TRUE(
      Write(SetWebhookStatusOp{app_, "c1", WebhookStatus::kInactive, "x", std::nullopt, Now()})
          .status.ok());
  sync.webhooks = {Hook(app_, "c1", {"message.sent"})};  // c2 removed, c1 unchanged
  ASSERT_TRUE(Write(sync).status.ok());
  auto hooks = store().ListWebhooks(app_);
  ASSERT_TRUE(hooks.ok());
  ASSERT_EQ(hooks->size(), 1u);
  EXPECT_EQ((*hooks)[0].id, "c1");
  EXPECT_TRUE((*hooks)[0].from_config);
  EXPECT_EQ((*hooks)[0].status, WebhookStatus::kInactive);
  sync.webhooks[0].target_url = "http://127.0.0.1:2/changed";  // changed: active again
  ASSERT_TRUE(Write(sync).status.ok());
  EXPECT_EQ(store().GetWebhook(app_, "c1")->status, WebhookStatus::kActive);
  EXPECT_EQ(store().GetWebhook(app_, "c1")->target_url, "http://127.0.0.1:2/changed");
}

}  // namespace
}  // namespace relayer::testing
