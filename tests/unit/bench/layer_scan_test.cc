#include "bench/layer_scan.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "bench/layer_packets.h"

namespace relayer::bench {
namespace {

namespace json = boost::json;

// prefix + the decimal n (g++ 12 warns falsely about "literal" + std::to_string(n)).
std::string Num(std::string prefix, uint64_t n) {
  prefix += std::to_string(n);
  return prefix;
}

// Packets as the servers sent them to `relayer-bench s1` (captured off the wire): Relayer
// (`relayer serve --dev`) and bench/relay.
// relayer: 000_response__.json
constexpr std::string_view kRelayerResponse =
    R"json({"type":"response","counter":0,"timestamp":"2026-12-02T14:52:39.652Z","body":{"request_id":"s0","method":"Message.create","success":true,"data":{"id":"layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a","url":"http://127.0.0.1:7311/messages/fa589893-65df-4f72-aa9b-955edcfdde0a","receipts_url":"http://127.0.0.1:7311/messages/fa589893-65df-4f72-aa9b-955edcfdde0a/receipts","position":1,"conversation":{"id":"layer:///conversations/9ab1624d-ed4a-4968-b4a5-720f9bd7bd55","url":"http://127.0.0.1:7311/conversations/9ab1624d-ed4a-4968-b4a5-720f9bd7bd55"},"parts":[{"id":"layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a/parts/0","mime_type":"text/plain","body":"seq=0 conversation=0 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},{"id":"layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a/parts/1","mime_type":"application/x-bench","body":"{\"kind\":\"bench\"}"}],"sent_at":"2026-12-02T14:52:39.650Z","received_at":"2026-12-02T14:52:39.650Z","sender":{"id":"layer:///identities/sender_0","url":"http://127.0.0.1:7311/identities/sender_0","user_id":"sender_0","display_name":"","avatar_url":null},"is_unread":false,"recipient_status":{"layer:///identities/recipient_0":"sent","layer:///identities/sender_0":"read"}}}})json";
// relayer: 001_change_create_Message.json
constexpr std::string_view kRelayerChangeCreateMessage =
    R"json({"type":"change","counter":1,"timestamp":"2026-12-02T14:52:39.650Z","body":{"operation":"create","object":{"type":"Message","id":"layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a","url":"http://127.0.0.1:7311/messages/fa589893-65df-4f72-aa9b-955edcfdde0a"},"data":{"id":"layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a","url":"http://127.0.0.1:7311/messages/fa589893-65df-4f72-aa9b-955edcfdde0a","receipts_url":"http://127.0.0.1:7311/messages/fa589893-65df-4f72-aa9b-955edcfdde0a/receipts","position":1,"conversation":{"id":"layer:///conversations/9ab1624d-ed4a-4968-b4a5-720f9bd7bd55","url":"http://127.0.0.1:7311/conversations/9ab1624d-ed4a-4968-b4a5-720f9bd7bd55"},"parts":[{"id":"layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a/parts/0","mime_type":"text/plain","body":"seq=0 conversation=0 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},{"id":"layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a/parts/1","mime_type":"application/x-bench","body":"{\"kind\":\"bench\"}"}],"sent_at":"2026-12-02T14:52:39.650Z","received_at":"2026-12-02T14:52:39.650Z","sender":{"id":"layer:///identities/sender_0","url":"http://127.0.0.1:7311/identities/sender_0","user_id":"sender_0","display_name":"","avatar_url":null},"is_unread":false,"recipient_status":{"layer:///identities/recipient_0":"sent","layer:///identities/sender_0":"read"}}}})json";
// relayer: 002_change_update_Conversation.json
constexpr std::string_view kRelayerChangeUpdateConversation =
    R"json({"type":"change","counter":2,"timestamp":"2026-12-02T14:52:39.650Z","body":{"operation":"update","object":{"type":"Conversation","id":"layer:///conversations/9ab1624d-ed4a-4968-b4a5-720f9bd7bd55","url":"http://127.0.0.1:7311/conversations/9ab1624d-ed4a-4968-b4a5-720f9bd7bd55"},"data":[{"operation":"set","property":"last_message","id":"layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a"}]}})json";
// relayer: 003_change_update_Message.json
constexpr std::string_view kRelayerChangeUpdateMessage =
    R"json({"type":"change","counter":3,"timestamp":"2026-12-02T14:52:39.653Z","body":{"operation":"update","object":{"type":"Message","id":"layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a","url":"http://127.0.0.1:7311/messages/fa589893-65df-4f72-aa9b-955edcfdde0a"},"data":[{"operation":"set","property":"recipient_status.layer:///identities/recipient_0","value":"delivered"}]}})json";
// relayer: 004_change_update_Message.json
constexpr std::string_view kRelayerChangeUpdateMessage2 =
    R"json({"type":"change","counter":4,"timestamp":"2026-12-02T14:52:39.654Z","body":{"operation":"update","object":{"type":"Message","id":"layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a","url":"http://127.0.0.1:7311/messages/fa589893-65df-4f72-aa9b-955edcfdde0a"},"data":[{"operation":"set","property":"recipient_status.layer:///identities/recipient_0","value":"read"}]}})json";
// relay: 000_response__.json
constexpr std::string_view kRelayResponse =
    R"json({"type":"response","counter":0,"timestamp":"2026-12-02T15:02:07.960Z","body":{"request_id":"s0","method":"Message.create","success":true,"data":{"id":"layer:///messages/sender_0~0","conversation":{"id":"layer:///conversations/sender_0~recipient_0"},"parts":[{"mime_type":"text/plain","body":"seq=0 conversation=0 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},{"mime_type":"application/x-bench","body":"{\"kind\":\"bench\"}"}],"sender":{"user_id":"sender_0"},"position":0}}})json";
// relay: 006_change_create_Message.json
constexpr std::string_view kRelayChangeCreateMessage =
    R"json({"type":"change","counter":0,"timestamp":"2026-12-02T15:02:07.960Z","body":{"operation":"create","object":{"type":"Message","id":"layer:///messages/sender_0~0"},"data":{"id":"layer:///messages/sender_0~0","conversation":{"id":"layer:///conversations/sender_0~recipient_0"},"parts":[{"mime_type":"text/plain","body":"seq=0 conversation=0 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},{"mime_type":"application/x-bench","body":"{\"kind\":\"bench\"}"}],"sender":{"user_id":"sender_0"},"recipient_status":{"layer:///identities/sender_0":"read","layer:///identities/recipient_0":"sent"},"position":0}}})json";
// relay: 001_change_update_Message.json
constexpr std::string_view kRelayChangeUpdateMessage =
    R"json({"type":"change","counter":1,"timestamp":"2026-12-02T15:02:07.962Z","body":{"operation":"update","object":{"type":"Message","id":"layer:///messages/sender_0~0"},"data":[{"operation":"set","property":"recipient_status.layer:///identities/recipient_0","value":"delivered"}]}})json";
// relay: 002_change_update_Message.json
constexpr std::string_view kRelayChangeUpdateMessage2 =
    R"json({"type":"change","counter":2,"timestamp":"2026-12-02T15:02:07.962Z","body":{"operation":"update","object":{"type":"Message","id":"layer:///messages/sender_0~0"},"data":[{"operation":"set","property":"recipient_status.layer:///identities/recipient_0","value":"read"}]}})json";

constexpr std::string_view kAllPackets[] = {kRelayerResponse,
                                            kRelayerChangeCreateMessage,
                                            kRelayerChangeUpdateConversation,
                                            kRelayerChangeUpdateMessage,
                                            kRelayerChangeUpdateMessage2,
                                            kRelayResponse,
                                            kRelayChangeCreateMessage,
                                            kRelayChangeUpdateMessage,
                                            kRelayChangeUpdateMessage2};

std::string_view At(const json::value& v, std::initializer_list<const char*> keys) {
  return Str(Path(v, keys));
}

// What the transport used to read from each packet with a full boost::json parse: the scanner
// must agree on every field.
void ExpectSameAsBoostJson(std::string_view text) {
  SCOPED_TRACE(std::string(text.substr(0, 120)));
  LayerPacket p;
  std::string scratch;
  ASSERT_TRUE(ScanLayerPacket(text, p, scratch));
  const json::value v = json::parse(text);
  EXPECT_EQ(p.type, At(v, {"type"}));
  EXPECT_EQ(p.request_id, At(v, {"body", "request_id"}));
  const json::value* success = Path(v, {"body", "success"});
  EXPECT_EQ(p.success, success && success->is_bool() ? int(success->as_bool()) : -1);
  EXPECT_EQ(p.operation, At(v, {"body", "operation"}));
  EXPECT_EQ(p.object_type, At(v, {"body", "object", "type"}));
  EXPECT_EQ(p.object_id, At(v, {"body", "object", "id"}));
  EXPECT_EQ(p.data_id, At(v, {"body", "data", "id"}));
  EXPECT_EQ(p.error_message, At(v, {"body", "data", "message"}));
  EXPECT_EQ(p.sender_user_id, At(v, {"body", "data", "sender", "user_id"}));
  const json::value* parts = Path(v, {"body", "data", "parts"});
  std::string_view first;
  if (parts && parts->is_array() && !parts->as_array().empty())
    first = At(parts->as_array()[0], {"body"});
  EXPECT_EQ(p.first_part_body, first);
  const json::value* ops = Path(v, {"body", "data"});
  std::vector<std::pair<std::string_view, std::string_view>> want, got;
  if (ops && ops->is_array()) {
    for (const auto& op : ops->as_array()) {
      if (op.is_object()) want.emplace_back(At(op, {"property"}), At(op, {"value"}));
    }
  }
  for (const auto& patch : p.patches) got.emplace_back(patch.property, patch.value);
  EXPECT_EQ(got, want);
}

TEST(LayerScan, AgreesWithBoostJsonOnRealPackets) {
  for (std::string_view text : kAllPackets) ExpectSameAsBoostJson(text);
}

TEST(LayerScan, ReadsWhatTheTransportUses) {
  LayerPacket p;
  std::string scratch;
  ASSERT_TRUE(ScanLayerPacket(kRelayerResponse, p, scratch));
  EXPECT_EQ(p.type, "response");
  EXPECT_EQ(p.request_id, "s0");
  EXPECT_EQ(p.success, 1);
  EXPECT_EQ(p.data_id, "layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a");
  EXPECT_EQ(p.first_part_body.substr(0, 21), "seq=0 conversation=0 ");
  EXPECT_EQ(p.sender_user_id, "sender_0");
  EXPECT_TRUE(p.patches.empty());

  ASSERT_TRUE(ScanLayerPacket(kRelayerChangeUpdateMessage, p, scratch));
  EXPECT_EQ(p.type, "change");
  EXPECT_EQ(p.operation, "update");
  EXPECT_EQ(p.object_type, "Message");
  EXPECT_EQ(p.object_id, "layer:///messages/fa589893-65df-4f72-aa9b-955edcfdde0a");
  EXPECT_EQ(p.data_id, "");  // data is an array here
  ASSERT_EQ(p.patches.size(), 1u);
  EXPECT_EQ(p.patches[0].property, "recipient_status.layer:///identities/recipient_0");
  EXPECT_EQ(p.patches[0].value, "delivered");

  ASSERT_TRUE(ScanLayerPacket(kRelayChangeCreateMessage, p, scratch));
  EXPECT_EQ(p.operation, "create");
  EXPECT_EQ(p.object_id, "layer:///messages/sender_0~0");
  EXPECT_EQ(p.data_id, "layer:///messages/sender_0~0");
  EXPECT_EQ(p.sender_user_id, "sender_0");
  EXPECT_EQ(SeqOf(p.first_part_body), 0);
  EXPECT_TRUE(p.patches.empty());  // the second part's body is not the first's
}

TEST(LayerScan, ErrorResponses) {
  // bench/relay's refusal, and a Relayer-style one with the fields in another order.
  const std::string_view relay =
      R"({"type":"response","counter":3,"timestamp":"2026-12-02T15:02:07.960Z","body":{"request_id":"s17","method":"Message.create","success":false,"data":{"id":"invalid_request","code":10,"message":"only Message.create is relayed"}}})";
  const std::string_view reordered =
      R"( { "body" : { "data" : { "message" : "no \"such\" conversation", "code" : 102 } ,
          "success" : false , "request_id" : "s9" } , "type" : "response" } )";
  for (std::string_view text : {relay, reordered}) ExpectSameAsBoostJson(text);
  LayerPacket p;
  std::string scratch;
  ASSERT_TRUE(ScanLayerPacket(reordered, p, scratch));
  EXPECT_EQ(p.success, 0);
  EXPECT_EQ(p.request_id, "s9");
  EXPECT_EQ(p.error_message, "no \"such\" conversation");
  ASSERT_TRUE(ScanLayerPacket(R"({"type":"response","body":{"success":"yes"}})", p, scratch));
  EXPECT_EQ(p.success, -1);  // not a bool
}

TEST(LayerScan, UnescapesStringsAndKeys) {
  const std::string_view text =
      R"({"type":"ch\u0061nge","b\u006fdy":{"operation":"update","object":{"type":"Message","id":"layer:\/\/\/messages\/x"},)"
      R"("data":[{"property":"recipient_status.layer:///identities/a\\.b","value":"read"},7,)"
      R"({"value":"delivered","property":"p\u00e9\ud83d\ude00\n\t\"\\"}]}})";
  ExpectSameAsBoostJson(text);
  LayerPacket p;
  std::string scratch;
  ASSERT_TRUE(ScanLayerPacket(text, p, scratch));
  EXPECT_EQ(p.type, "change");
  EXPECT_EQ(p.object_id, "layer:///messages/x");
  ASSERT_EQ(p.patches.size(), 2u);
  EXPECT_EQ(p.patches[0].property, "recipient_status.layer:///identities/a\\.b");
  EXPECT_EQ(p.patches[1].property, "p\xc3\xa9\xf0\x9f\x98\x80\n\t\"\\");
  EXPECT_EQ(p.patches[1].value, "delivered");
}

TEST(LayerScan, OnlyTheFirstPartAndOnlyStrings) {
  const std::string_view text =
      R"({"type":"change","body":{"operation":"create","object":{"type":"Message","id":5},)"
      R"("data":{"id":"m","parts":[{"body":"seq=1 a"},{"body":"seq=2 b"}],"sender":{"user_id":null},)"
      R"("nested":{"id":"not this","parts":[{"body":"nor this"}]}}}})";
  ExpectSameAsBoostJson(text);
  LayerPacket p;
  std::string scratch;
  ASSERT_TRUE(ScanLayerPacket(text, p, scratch));
  EXPECT_EQ(p.first_part_body, "seq=1 a");
  EXPECT_EQ(p.data_id, "m");
  EXPECT_EQ(p.object_id, "");
  EXPECT_EQ(p.sender_user_id, "");
  ASSERT_TRUE(ScanLayerPacket(R"({"body":{"data":{"parts":[7,{"body":"x"}]}}})", p, scratch));
  EXPECT_EQ(p.first_part_body, "");
}

TEST(LayerScan, RefusesWhatBoostJsonRefuses) {
  for (std::string_view bad : {"",
                               " ",
                               "[]",
                               "\"x\"",
                               "{",
                               "{}x",
                               "{} {}",
                               R"({"a":})",
                               R"({"a":1,})",
                               R"({"a" 1})",
                               R"({a:1})",
                               R"({"a":tru})",
                               R"({"a":nul})",
                               R"({"a":01})",
                               R"({"a":1.})",
                               R"({"a":-})",
                               R"({"a":1e})",
                               R"({"a":"\x"})",
                               R"({"a":"\u12"})",
                               R"({"a":"\ud800"})",
                               R"({"a":"\udc00"})",
                               "{\"a\":\"\x01\"}",
                               R"({"a":[1,]})",
                               R"({"a":[1 2]})",
                               R"({"a":"unterminated})"}) {
    SCOPED_TRACE(std::string(bad));
    LayerPacket p;
    std::string scratch;
    EXPECT_FALSE(ScanLayerPacket(bad, p, scratch));
    boost::system::error_code ec;
    json::value v = json::parse(bad, ec);
    EXPECT_TRUE(ec || !v.is_object());
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 100; ++i) deep += "}";
  LayerPacket p;
  std::string scratch;
  EXPECT_FALSE(ScanLayerPacket(deep, p, scratch));
  EXPECT_TRUE(ScanLayerPacket(R"({"a":[-0.5e+3,0,1E2,true,false,null,{},[]]})", p, scratch));
}

TEST(LayerScan, EveryTruncationIsRefused) {
  LayerPacket p;
  std::string scratch;
  for (std::string_view text : kAllPackets) {
    for (size_t n = 0; n < text.size(); ++n) {
      ASSERT_FALSE(ScanLayerPacket(text.substr(0, n), p, scratch)) << n;
    }
    ASSERT_TRUE(ScanLayerPacket(text, p, scratch));
  }
}

TEST(LayerScan, ScratchIsReusedAndViewsStayValid) {
  LayerPacket p;
  std::string scratch;
  std::string text = R"({"type":"change","body":{"operation":"update","data":[)";
  for (int i = 0; i < 50; ++i) {
    if (i) text += ",";
    text += "{\"property\":\"p\\u0041" + std::to_string(i) + "\",\"value\":\"v\\\"" +
            std::to_string(i) + "\"}";
  }
  text += "]}}";
  ASSERT_TRUE(ScanLayerPacket(text, p, scratch));
  ASSERT_EQ(p.patches.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(p.patches[i].property, Num("pA", i));
    EXPECT_EQ(p.patches[i].value, Num("v\"", i));
  }
}

TEST(LayerScan, EscapesAndControlCharactersAtEveryOffset) {
  // Strings are scanned 16 and 8 bytes at a time: put the interesting byte everywhere.
  LayerPacket p;
  std::string scratch;
  for (size_t n = 0; n < 40; ++n) {
    for (size_t k = 0; k <= n; ++k) {
      std::string plain(n, 'a');
      plain.insert(k, "\\\"");  // an escaped quote at offset k
      const std::string text = R"({"type":")" + plain + R"(","body":{"request_id":"s1"}})";
      ASSERT_TRUE(ScanLayerPacket(text, p, scratch)) << n << " " << k;
      EXPECT_EQ(p.type, json::parse(text).as_object().at("type").as_string()) << n << " " << k;
      EXPECT_EQ(p.request_id, "s1");
      std::string bad(n, 'a');
      bad.insert(k, 1, static_cast<char>(k % 2 ? 0x1f : 0x01));
      EXPECT_FALSE(ScanLayerPacket(R"({"type":")" + bad + R"("})", p, scratch)) << n << " " << k;
      std::string high(n, 'a');
      high.insert(k, "\xc3\xa9\x7f");  // bytes >= 0x7f are plain
      const std::string high_text = R"({"type":")" + high + R"("})";
      ASSERT_TRUE(ScanLayerPacket(high_text, p, scratch));
      EXPECT_EQ(p.type, high);
    }
  }
}

TEST(LayerScan, LeadingNumberReadsAsStrtoull) {
  EXPECT_EQ(LeadingNumber("123"), 123u);
  EXPECT_EQ(LeadingNumber("12x"), 12u);
  EXPECT_EQ(LeadingNumber(""), 0u);
  EXPECT_EQ(LeadingNumber("x1"), 0u);
  EXPECT_EQ(LeadingNumber("18446744073709551615"), 18446744073709551615u);
  EXPECT_EQ(LeadingNumber("99999999999999999999999"), UINT64_MAX);
}

// The request as the transport used to build it with boost::json objects.
std::string OldMessageCreate(uint64_t seq, std::string_view conversation, std::string_view body) {
  json::object text{{"mime_type", "text/plain"}, {"body", body}};
  json::object data;
  data["parts"] = json::array{
      text, json::object{{"mime_type", "application/x-bench"}, {"body", "{\"kind\":\"bench\"}"}}};
  json::object request;
  request["method"] = "Message.create";
  request["request_id"] = Num("s", seq);
  request["object_id"] = conversation;
  request["data"] = std::move(data);
  json::object packet;
  packet["type"] = "request";
  packet["body"] = std::move(request);
  return json::serialize(packet);
}

TEST(LayerScan, MessageCreateIsByteForByteWhatBoostJsonWrote) {
  std::string all_bytes;
  for (int c = 1; c < 128; ++c) all_bytes.push_back(static_cast<char>(c));
  all_bytes += "\xc3\xa9";
  for (const auto& [seq, conversation, body] :
       {std::tuple<uint64_t, std::string, std::string>{0, "layer:///conversations/a~b", "seq=0 x"},
        {18446744073709551615u, "layer:///conversations/9ab1624d-ed4a-4968-b4a5-720f9bd7bd55",
         "seq=1 conversation=1 " + std::string(160, 'x')},
        {42, "a\"b\\c", all_bytes},
        {7, "", std::string("nul\0inside", 10)}}) {
    std::string conversation_json;
    AppendJsonString(conversation_json, conversation);
    std::string out = "prefix";
    AppendBenchMessageCreate(out, seq, conversation_json, body);
    EXPECT_EQ(out, "prefix" + OldMessageCreate(seq, conversation, body));
    const json::value v = json::parse(out.substr(6));
    EXPECT_EQ(Path(v, {"body", "data", "parts"})->as_array()[0].as_object().at("body").as_string(),
              body);
  }
}

TEST(LayerScan, JsonStringsEscapeAtEveryOffset) {
  for (size_t n = 0; n < 40; ++n) {
    for (size_t k = 0; k <= n; ++k) {
      for (char special : {'"', '\\', '\n', '\x01', '\x1f', '\x7f'}) {
        std::string text(n, 'x');
        text.insert(k, 1, special);
        std::string out;
        AppendJsonString(out, text);
        ASSERT_EQ(out, json::serialize(json::string(text))) << n << " " << k;
      }
    }
  }
}

TEST(MessageIds, BothWaysFirstIdWins) {
  MessageIds ids;
  EXPECT_EQ(ids.IdOf(5), "");
  uint64_t seq = 0;
  EXPECT_FALSE(ids.SeqOf("layer:///messages/a", seq));
  ids.Remember(5, "layer:///messages/a");
  ids.Remember(5, "layer:///messages/b");  // a later id for the same message is ignored
  ids.Remember(6, "");                     // so is no id
  EXPECT_EQ(ids.IdOf(5), "layer:///messages/a");
  EXPECT_EQ(ids.IdOf(6), "");
  EXPECT_EQ(ids.IdOf(1u << 20), "");
  ASSERT_TRUE(ids.SeqOf("layer:///messages/a", seq));
  EXPECT_EQ(seq, 5u);
  EXPECT_FALSE(ids.SeqOf("layer:///messages/b", seq));
  EXPECT_FALSE(ids.SeqOf("", seq));
  EXPECT_EQ(ids.size(), 1u);
  // Remembered after a lookup (the index is filled lazily): found as well, old ones still.
  for (uint64_t i = 100; i < 200000; ++i) ids.Remember(i, Num("m", i));
  ASSERT_TRUE(ids.SeqOf("m150000", seq));
  EXPECT_EQ(seq, 150000u);
  ids.Remember(7, "late");
  ASSERT_TRUE(ids.SeqOf("late", seq));
  EXPECT_EQ(seq, 7u);
  ASSERT_TRUE(ids.SeqOf("layer:///messages/a", seq));
  EXPECT_EQ(seq, 5u);
  ASSERT_TRUE(ids.SeqOf("m100", seq));
  EXPECT_EQ(seq, 100u);
}

TEST(MessageIds, ManyIdsAcrossPagesChunksAndGrowth) {
  MessageIds ids;
  constexpr uint64_t kCount = 300000;
  auto id_of = [](uint64_t i) {
    return Num("layer:///messages/", i * 7919 % 1000003) + Num("-", i);
  };
  for (uint64_t i = 0; i < kCount; ++i) ids.Remember(i * 3, id_of(i));  // sparse: gaps in pages
  ids.Remember(uint64_t{1} << 41, "too far");  // beyond any run: ignored, no giant allocation
  EXPECT_EQ(ids.size(), kCount);
  for (uint64_t i = 0; i < kCount; i += 997) {
    EXPECT_EQ(ids.IdOf(i * 3), id_of(i));
    EXPECT_EQ(ids.IdOf(i * 3 + 1), "");
    uint64_t seq = 0;
    ASSERT_TRUE(ids.SeqOf(id_of(i), seq));
    EXPECT_EQ(seq, i * 3);
  }
  const std::string big(3 << 20, 'z');  // bigger than a chunk
  ids.Remember(1, big);
  EXPECT_EQ(ids.IdOf(1), big);
  EXPECT_EQ(ids.IdOf(0), id_of(0));
}

}  // namespace
}  // namespace relayer::bench
