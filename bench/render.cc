// The Layer representation of messages on its own (Google Benchmark): what a history page, a
// send's answer and a fan-out spend rendering, without sockets or a store.
//   build/bench/relayer-render-bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "core/representation.h"

namespace relayer {
namespace {

const std::string kBase = "http://127.0.0.1:7300";

// A message as S1 sends it: two parts, ~200 bytes, two participants.
Message BenchMessage(int i) {
  Message m;
  char id[40];
  std::snprintf(id, sizeof id, "0193a1c2-0000-7000-8000-%012d", i);
  m.id = MessageId(id);
  m.conversation_id = ConversationId("0193a1c2-0000-7000-8000-0000000000c1");
  m.position = i + 1;
  m.sender.user_id = UserId("sender_0");
  m.sender.name = "Sender Zero";
  m.sent_at = 1764781200123 + i;
  m.parts.push_back({"text/plain", std::string(150, 'x'), "", std::nullopt});
  m.parts.push_back({"application/x-bench", R"({"kind":"bench"})", "", std::nullopt});
  m.recipient_status[UserId("sender_0")] = ReceiptState::kRead;
  m.recipient_status[UserId("recipient_0")] = ReceiptState::kDelivered;
  return m;
}

void BM_MessageJsonSerialized(benchmark::State& state) {
  const Message m = BenchMessage(1);
  const UserId viewer("recipient_0");
  for (auto _ : state) {
    std::string text = boost::json::serialize(MessageJson(m, viewer, kBase));
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_MessageJsonSerialized);

void BM_MessageTextBothForms(benchmark::State& state) {
  const Message m = BenchMessage(1);
  for (auto _ : state) {
    MessageText text(m, kBase, nullptr);
    std::string read = text.For(false), unread = text.For(true);
    benchmark::DoNotOptimize(read);
    benchmark::DoNotOptimize(unread);
  }
}
BENCHMARK(BM_MessageTextBothForms);

// A page of GET /conversations/UUID/messages: 100 messages as one JSON array.
void BM_HistoryPage100(benchmark::State& state) {
  std::vector<Message> page;
  for (int i = 0; i < 100; ++i) page.push_back(BenchMessage(i));
  const UserId viewer("recipient_0");
  for (auto _ : state) {
    boost::json::array out;
    for (const Message& m : page) out.push_back(MessageJson(m, viewer, kBase));
    std::string text = boost::json::serialize(out);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_HistoryPage100)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace relayer

BENCHMARK_MAIN();
