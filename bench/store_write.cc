// relayer-store-bench: the store's write path alone, without sockets. N two-party conversations,
// then W message sends kept in flight (optionally each followed by the recipient's delivery and
// read receipts, as the Web SDK sends them), through the same Store::Submit the server uses.
// Reports operations per second, the process's CPU per message and the writer's batching, so a
// change to the writer or the schema can be measured in seconds (docs/benchmarks.md).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "store/postgres/pg_store.h"
#include "store/store.h"

namespace relayer {
namespace {

std::string TimeUuid(uint64_t counter) {
  // Time-ordered like the server's ids: the counter leads, so inserts append to the id index.
  static const uint64_t salt = std::random_device{}();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-7%03llx-8%03llx-%012llx",
                static_cast<unsigned long long>(counter >> 16),
                static_cast<unsigned long long>(counter & 0xffff),
                static_cast<unsigned long long>(salt & 0xfff),
                static_cast<unsigned long long>((salt >> 12) & 0xfff),
                static_cast<unsigned long long>((salt >> 24) & 0xffffffffffffULL));
  return buf;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Completed writes handed from the writer's callbacks to the submitting thread.
struct Mailbox {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<size_t, MessageId>> sent;  // pair index, message id
  size_t done = 0;
  size_t failed = 0;
  std::string first_error;

  void Finish(const WriteResult& r, size_t pair, bool is_message) {
    std::lock_guard lock(mu);
    ++done;
    if (!r.status.ok()) {
      if (failed++ == 0) first_error = r.status.message();
    } else if (is_message && r.message) {
      sent.emplace_back(pair, r.message->id);
    }
    cv.notify_one();
  }
};

int Run(int argc, char** argv) {
  CLI::App cli("Relayer store write benchmark (no sockets)");
  std::string db = "/tmp/relayer-store-bench.db";
  std::string pg;
  size_t pairs = 1000, messages = 100000, inflight = 2000, max_batch = 1000;
  int64_t linger_us = 1000;
  bool receipts = false;
  cli.add_option("--db", db, "SQLite file (recreated)");
  cli.add_option("--pg", pg, "PostgreSQL URI instead of SQLite (its tables are used as they are)");
  cli.add_option("--pairs", pairs, "two-party conversations");
  cli.add_option("--messages", messages, "messages to send");
  cli.add_option("--inflight", inflight, "writes kept in flight");
  cli.add_option("--max-batch", max_batch, "operations per group commit");
  cli.add_option("--linger-us", linger_us, "SQLite commit linger");
  cli.add_flag("--receipts", receipts, "the recipient posts delivery and read receipts");
  CLI11_PARSE(cli, argc, argv);

  std::unique_ptr<Store> store;
  if (pg.empty()) {
    std::filesystem::remove(db);
    std::filesystem::remove(db + "-wal");
    std::filesystem::remove(db + "-shm");
    auto s = OpenSqliteStore(SqliteOptions{db, max_batch, linger_us, Limits{}});
    if (!s.ok()) {
      std::fprintf(stderr, "open: %s\n", s.status().message().c_str());
      return 1;
    }
    store = std::move(*s);
  } else {
    PgOptions o;
    o.uri = pg;
    o.max_batch = max_batch;
    auto s = OpenPgStore(o);
    if (!s.ok()) {
      std::fprintf(stderr, "open: %s\n", s.status().message().c_str());
      return 1;
    }
    store = std::move(*s);
  }

  uint64_t ids = static_cast<uint64_t>(NowMs()) << 16;
  const AppId app(TimeUuid(ids++));
  std::vector<ConversationId> convs;
  std::vector<std::pair<UserId, UserId>> users;
  for (size_t i = 0; i < pairs; ++i) {
    CreateConversationOp op;
    op.app_id = app;
    op.generated_id = ConversationId(TimeUuid(ids++));
    op.creator = UserId("user" + std::to_string(2 * i));
    op.participants = {UserId("user" + std::to_string(2 * i + 1))};
    op.now = NowMs();
    users.emplace_back(op.creator, op.participants[0]);
    WriteResult r = SubmitAndWait(*store, std::move(op));
    if (!r.status.ok() || !r.conversation) {
      std::fprintf(stderr, "conversation: %s\n", r.status.message().c_str());
      return 1;
    }
    convs.push_back(r.conversation->id);
  }

  Mailbox box;
  const StoreStats before = store->Stats();
  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  size_t submitted = 0, next_message = 0;
  const size_t total = messages * (receipts ? 3 : 1);
  std::unique_lock lock(box.mu);
  while (box.done < total) {
    // Receipts for sent messages first (they are what a recipient's SDK answers with), then new
    // messages while fewer than `inflight` writes are outstanding.
    std::deque<std::pair<size_t, MessageId>> sent;
    sent.swap(box.sent);
    lock.unlock();
    for (auto& [pair, id] : sent) {
      for (ReceiptType t : {ReceiptType::kDelivery, ReceiptType::kRead}) {
        ++submitted;
        store->Submit(PostReceiptOp{app, id, users[pair].second, t, NowMs()},
                      [&box](WriteResult r) { box.Finish(r, 0, false); });
      }
    }
    lock.lock();
    while (next_message < messages && submitted - box.done < inflight) {
      lock.unlock();
      const size_t pair = next_message % pairs;
      CreateMessageOp op;
      op.app_id = app;
      op.conversation_id = convs[pair];
      op.generated_id = MessageId(TimeUuid(ids++));
      op.sender.user_id = users[pair].first;
      op.parts.push_back(MessagePart{"text/plain", "bench message " + std::to_string(next_message),
                                     "", std::nullopt});
      op.now = NowMs();
      ++submitted;
      ++next_message;
      store->Submit(std::move(op),
                    [&box, pair, receipts](WriteResult r) { box.Finish(r, pair, receipts); });
      lock.lock();
    }
    if (box.done < total && box.sent.empty()) box.cv.wait(lock);
  }
  lock.unlock();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  const StoreStats after = store->Stats();
  const uint64_t commits = after.commits - before.commits;
  const uint64_t ops = after.committed_ops - before.committed_ops;
  std::printf(
      "%s messages=%zu receipts=%s secs=%.2f msgs/s=%.0f ops/s=%.0f cpu_us/msg=%.1f "
      "commits=%llu ops/commit=%.1f largest_batch=%llu failed=%zu%s%s\n",
      pg.empty() ? "sqlite" : "postgres", messages, receipts ? "yes" : "no", secs,
      static_cast<double>(messages) / secs, static_cast<double>(total) / secs,
      cpu * 1e6 / static_cast<double>(messages), static_cast<unsigned long long>(commits),
      commits ? static_cast<double>(ops) / static_cast<double>(commits) : 0.0,
      static_cast<unsigned long long>(after.largest_batch), box.failed,
      box.failed ? " first_error=" : "", box.first_error.c_str());
  // The dashboard's reads of the sync log those writes left: the newest page, and a filter that
  // matches nothing (the worst case: every entry of the app is looked at).
  for (const bool filtered : {false, true}) {
    SyncLogFilter f;
    if (filtered) f.actor = UserId("nobody");
    const auto r0 = std::chrono::steady_clock::now();
    auto log = store->ListSyncLog(app, f);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r0).count();
    std::printf("sync log %s: %zu entries in %.1f ms\n",
                filtered ? "filtered (no match)" : "newest page",
                log.ok() ? log->size() : size_t{0}, ms);
  }
  store->Close();
  return box.failed ? 1 : 0;
}

}  // namespace
}  // namespace relayer

int main(int argc, char** argv) { return relayer::Run(argc, argv); }
