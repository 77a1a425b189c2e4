// The outbox lock of PgStore (store/postgres/outbox_lock.h): of two stores on one database (two
// nodes), only one reads pending events and queues; when it closes, the other takes over. And
// scheduling is fenced: events another node scheduled cannot be scheduled again.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "store/postgres/connection.h"
#include "store/postgres/pg_store.h"

namespace relayer::testing {
namespace {

const AppId kApp("a0000000-0000-4000-8000-0000000000a1");

class PgOutbox : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* uri = std::getenv("RELAYER_TEST_PG");
    if (!uri || !*uri) GTEST_SKIP() << "RELAYER_TEST_PG is not set (source scripts/services.sh)";
    uri_ = uri;
    std::random_device rd;
    schema_ = "outbox_test_" + std::to_string(rd()) + std::to_string(rd());
    ASSERT_TRUE(Admin("CREATE SCHEMA " + schema_).ok());
  }
  void TearDown() override {
    for (auto& s : stores_) {
      if (s) s->Close();
    }
    stores_.clear();
    if (!schema_.empty()) (void)Admin("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }

  Status Admin(const std::string& sql) {
    auto db = pg::Connection::Open(uri_, 10);
    if (!db.ok()) return db.status();
    return (*db)->Execute(sql);
  }

  // A node: its own store (writer, readers, outbox lock) on the shared schema.
  Store& Node() {
    PgOptions options;
    options.uri = uri_ + (uri_.find('?') == std::string::npos ? "?" : "&") +
                  "options=-csearch_path%3D" + schema_;
    auto opened = OpenPgStore(options);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    stores_.push_back(std::move(opened).value());
    return *stores_.back();
  }

  // Records one delivery event (a Platform notification is recorded unconditionally).
  void Event(Store& store) {
    SendNotificationOp op;
    op.app_id = kApp;
    op.recipients = {UserId("bob")};
    op.notification = boost::json::object{{"text", "hi"}};
    op.now = ++now_;
    WriteResult r = SubmitAndWait(store, op);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    ASSERT_EQ(r.delivery_events, 1u);
  }

  WriteResult Schedule(Store& store, const std::vector<DeliveryEvent>& events) {
    ScheduleDeliveriesOp op;
    op.through_seq = events.back().seq;
    for (const DeliveryEvent& e : events) {
      op.event_seqs.push_back(e.seq);
      Delivery d;
      d.app = kApp;
      d.queue = PushQueue(UserId("bob"));
      d.request_id = "r" + std::to_string(e.seq);
      d.event_type = e.type;
      d.body = "{}";
      d.next_attempt_at = now_;
      d.created_at = now_;
      op.deliveries.push_back(d);
    }
    return SubmitAndWait(store, op);
  }

  size_t Pending(Store& store) {
    auto events = store.PendingDeliveryEvents(100);
    EXPECT_TRUE(events.ok()) << events.status().message();
    return events.ok() ? events->size() : 0;
  }

  std::string uri_;
  std::string schema_;
  std::vector<std::unique_ptr<Store>> stores_;
  TimeMs now_ = 1'700'000'000'000;
};

TEST_F(PgOutbox, OnlyOneNodeReadsTheOutboxAndAnotherTakesOverWhenItCloses) {
  Store& a = Node();
  Store& b = Node();
  Event(b);                   // written by either node, read by the holder only
  EXPECT_EQ(Pending(a), 1u);  // a asks first: a holds the outbox
  EXPECT_EQ(Pending(b), 0u);
  Event(a);
  EXPECT_EQ(Pending(b), 0u);
  auto events = a.PendingDeliveryEvents(100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  ASSERT_TRUE(Schedule(a, *events).status.ok());
  const std::string queue = PushQueue(UserId("bob"));
  EXPECT_EQ(*a.DeliveryQueues(), std::vector<std::string>{queue});
  EXPECT_TRUE(b.DeliveryQueues()->empty());
  ASSERT_TRUE(a.NextDelivery(queue)->has_value());
  EXPECT_FALSE(b.NextDelivery(queue)->has_value());

  // The holder goes (its lock session ends): the other node takes over on its next read and
  // finds the deliveries not yet sent and the events not yet scheduled.
  Event(b);
  stores_[0]->Close();
  EXPECT_EQ(Pending(b), 1u);
  EXPECT_EQ(*b.DeliveryQueues(), std::vector<std::string>{queue});
  auto head = b.NextDelivery(queue);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->request_id, "r" + std::to_string((*events)[0].seq));
}

TEST_F(PgOutbox, EventsScheduledByOneNodeCannotBeScheduledAgain) {
  Store& a = Node();
  Store& b = Node();
  Event(a);
  Event(a);
  auto read = a.PendingDeliveryEvents(100);  // as a node that lost the outbox after reading
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 2u);
  ASSERT_TRUE(Schedule(a, *read).status.ok());
  Event(a);  // a newer event, not among those read
  WriteResult again = Schedule(b, *read);
  EXPECT_EQ(again.status.code(), ErrorCode::kConflict);
  EXPECT_EQ(Pending(a), 1u);  // the newer event is still pending
  auto head = a.NextDelivery(PushQueue(UserId("bob")));
  ASSERT_TRUE(head.ok() && head->has_value());
  // Only the first schedule's deliveries exist: two, not four.
  ASSERT_TRUE(SubmitAndWait(a, FinishDeliveryOp{(*head)->id, AttemptOutcome::kDelivered, 0, "", 1})
                  .status.ok());
  ASSERT_TRUE(a.NextDelivery(PushQueue(UserId("bob")))->has_value());
  head = a.NextDelivery(PushQueue(UserId("bob")));
  ASSERT_TRUE(SubmitAndWait(a, FinishDeliveryOp{(*head)->id, AttemptOutcome::kDelivered, 0, "", 1})
                  .status.ok());
  EXPECT_FALSE(a.NextDelivery(PushQueue(UserId("bob")))->has_value());
}

}  // namespace
}  // namespace relayer::testing
