#include "server/ws/frames.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace relayer::server::ws {
namespace {

// Options of the test's client-side (masking) encoder; the defaults make a valid frame.
struct FrameOpts {
  bool fin = true;
  uint8_t rsv = 0;  // bits 4-6 of the first byte, e.g. 0x40 for RSV1
  bool mask = true;
  int length_bytes = -1;  // -1 minimal, else force 0, 2 or 8 extended length bytes
  std::array<uint8_t, 4> key{0x37, 0xFA, 0x21, 0x3D};
};

std::string Header(uint8_t op, uint64_t len, const FrameOpts& o = {}) {
  std::string h;
  h.push_back(static_cast<char>((o.fin ? 0x80 : 0) | o.rsv | op));
  int ext = o.length_bytes >= 0 ? o.length_bytes : len < 126 ? 0 : len <= 0xFFFF ? 2 : 8;
  uint8_t len7 = ext == 0 ? static_cast<uint8_t>(len) : ext == 2 ? 126 : 127;
  h.push_back(static_cast<char>((o.mask ? 0x80 : 0) | len7));
  for (int i = ext - 1; i >= 0; --i) h.push_back(static_cast<char>(len >> (8 * i)));
  if (o.mask) h.append(reinterpret_cast<const char*>(o.key.data()), 4);
  return h;
}

std::string Frame(uint8_t op, std::string_view payload, const FrameOpts& o = {}) {
  std::string f = Header(op, payload.size(), o);
  for (size_t i = 0; i < payload.size(); ++i) {
    f.push_back(static_cast<char>(payload[i] ^ (o.mask ? o.key[i % 4] : 0)));
  }
  return f;
}

std::string Frame(Opcode op, std::string_view payload, const FrameOpts& o = {}) {
  return Frame(static_cast<uint8_t>(op), payload, o);
}

std::string ClosePayload(uint16_t code, std::string_view reason = "") {
  std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return p.append(reason);
}

struct Recorder : FrameReader::Handler {
  std::vector<std::string> events;
  void OnMessage(std::string_view p, bool text) override {
    events.push_back((text ? "text:" : "binary:") + std::string(p));
  }
  void OnPing(std::string_view p) override { events.push_back("ping:" + std::string(p)); }
  void OnPong(std::string_view p) override { events.push_back("pong:" + std::string(p)); }
  void OnClose(uint16_t code, std::string_view reason) override {
    events.push_back("close:" + std::to_string(code) + ":" + std::string(reason));
  }
};

using Events = std::vector<std::string>;

// Feeds `bytes` to a fresh reader and returns the close code it reports.
uint16_t FeedAll(std::string_view bytes, Recorder& rec, size_t max = 1 << 20) {
  FrameReader reader(max);
  return reader.Feed(bytes, rec);
}

std::string Bytes(std::initializer_list<uint8_t> b) { return std::string(b.begin(), b.end()); }

// --- AppendFrame / AppendClose ---

TEST(AppendFrame, EmptyPayloadIsTwoByteHeader) {
  std::string out;
  AppendFrame(out, Opcode::kText, "");
  EXPECT_EQ(out, Bytes({0x81, 0x00}));
}

TEST(AppendFrame, Payload125UsesSevenBitLength) {
  std::string payload(125, 'a'), out;
  AppendFrame(out, Opcode::kBinary, payload);
  EXPECT_EQ(out, Bytes({0x82, 125}) + payload);
}

TEST(AppendFrame, Payload126And65535UseSixteenBitLength) {
  std::string p126(126, 'b'), p65535(65535, 'c'), out;
  AppendFrame(out, Opcode::kText, p126);
  EXPECT_EQ(out, Bytes({0x81, 126, 0x00, 126}) + p126);
  out.clear();
  AppendFrame(out, Opcode::kText, p65535);
  EXPECT_TRUE(out == Bytes({0x81, 126, 0xFF, 0xFF}) + p65535);
}

TEST(AppendFrame, Payload65536UsesSixtyFourBitLength) {
  std::string payload(65536, 'd'), out;
  AppendFrame(out, Opcode::kBinary, payload);
  EXPECT_TRUE(out == Bytes({0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}) + payload);
}

TEST(AppendFrame, AppendsAfterExistingBytes) {
  std::string out = "xy";
  AppendFrame(out, Opcode::kPong, "p");
  AppendFrame(out, Opcode::kPing, "");
  EXPECT_EQ(out, "xy" + Bytes({0x8A, 1, 'p', 0x89, 0}));
}

TEST(AppendClose, CodeIsBigEndianBeforeReason) {
  std::string out;
  AppendClose(out, kCloseGoingAway, "bye");
  EXPECT_EQ(out, Bytes({0x88, 5, 0x03, 0xE9, 'b', 'y', 'e'}));
}

TEST(AppendClose, CodeZeroSendsEmptyPayload) {
  std::string out;
  AppendClose(out, 0, "ignored");
  EXPECT_EQ(out, Bytes({0x88, 0}));
}

TEST(AppendClose, LongReasonIsCutToFitAtCharacterBoundary) {
  std::string out;
  AppendClose(out, kClosePolicy, std::string(200, 'r'));
  ASSERT_EQ(out.size(), 2u + 125u);
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 125);

  // 122 ASCII bytes then a 2-byte character: byte 123 would split it, so the cut is at 122.
  out.clear();
  AppendClose(out, kCloseNormal, std::string(122, 'r') + "\xC3\xA9" + "tail");
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 124);
  EXPECT_TRUE(IsValidUtf8(std::string_view(out).substr(4)));
}

// --- UTF-8 and close codes ---

TEST(Utf8, AcceptsAsciiAndMultiByteCharactersUpToMax) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ASCII text that is longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF\xEE\x80\x80"));                   // U+D7FF U+E000
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBF\xF4\x8F\xBF\xBF"));               // U+FFFF U+10FFFF
}

TEST(Utf8, RejectsOverlongEncodings) {
  for (const char* s : {"\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xF0\x80\x80\x80",
                        "\xF0\x8F\xBF\xBF"}) {
    EXPECT_FALSE(IsValidUtf8(s)) << s;
  }
}

TEST(Utf8, RejectsSurrogates) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));  // U+DFFF
}

TEST(Utf8, RejectsCodePointsAboveMaxAndInvalidLeadBytes) {
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  for (int b = 0xF5; b <= 0xFF; ++b)
    EXPECT_FALSE(IsValidUtf8(std::string(1, char(b)) + "\x80\x80\x80"));
}

TEST(Utf8, RejectsTruncatedSequencesAndStrayContinuations) {
  EXPECT_FALSE(IsValidUtf8("abc\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3\xA9\xA9"));
  EXPECT_FALSE(IsValidUtf8("12345678\xC3(xxxxxxxx"));  // bad continuation after an ASCII run
}

TEST(Utf8Validator, AnySplitGivesTheSameAnswerAsTheWholeText) {
  const std::string samples[] = {"a\xC3\xA9z\xF0\x9F\x98\x80\xE2\x82\xAC", "ab\xED\xA0\x80",
                                 "\xF0\x9F\x98"};
  for (const std::string& s : samples) {
    for (size_t cut = 0; cut <= s.size(); ++cut) {
      Utf8Validator v;
      bool added = v.Add(std::string_view(s).substr(0, cut));
      added = v.Add(std::string_view(s).substr(cut)) && added;
      EXPECT_EQ(added && v.complete(), IsValidUtf8(s)) << "cut " << cut;
    }
  }
}

TEST(CloseCode, OnlyDefinedAndApplicationRangesAreValid) {
  for (int c : {1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999}) {
    EXPECT_TRUE(IsValidCloseCode(c)) << c;
  }
  for (int c : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    EXPECT_FALSE(IsValidCloseCode(c)) << c;
  }
}

// --- FrameReader: lengths and chunking ---

TEST(FrameReader, DecodesSevenBitLengthTextFrame) {
  Recorder rec;
  EXPECT_EQ(FeedAll(Frame(Opcode::kText, "hello"), rec), 0);
  EXPECT_EQ(rec.events, Events{"text:hello"});
}

TEST(FrameReader, DecodesSixteenAndSixtyFourBitLengths) {
  for (size_t size : {125u, 126u, 65535u, 65536u, 100000u}) {
    std::string payload(size, 'x');
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    Recorder rec;
    EXPECT_EQ(FeedAll(Frame(Opcode::kBinary, payload), rec), 0) << size;
    ASSERT_EQ(rec.events.size(), 1u) << size;
    EXPECT_TRUE(rec.events[0] == "binary:" + payload) << size;
  }
}

TEST(FrameReader, AcceptsNonMinimalLengthEncodings) {
  Recorder rec;
  std::string bytes = Frame(Opcode::kText, "ab", {.length_bytes = 2}) +
                      Frame(Opcode::kText, "cd", {.length_bytes = 8}) +
                      Frame(Opcode::kPing, "p", {.length_bytes = 2});
  EXPECT_EQ(FeedAll(bytes, rec), 0);
  EXPECT_EQ(rec.events, (Events{"text:ab", "text:cd", "ping:p"}));
}

TEST(FrameReader, FrameFedOneByteAtATime) {
  std::string text(300, 'q');  // 16-bit length, so the header itself arrives in pieces
  std::string bytes = Frame(Opcode::kText, text) + Frame(Opcode::kPing, "hi") +
                      Frame(Opcode::kText, "\xC3\xA9", {.fin = false}) +
                      Frame(Opcode::kContinuation, "!");
  FrameReader reader(1 << 20);
  Recorder rec;
  for (char c : bytes) ASSERT_EQ(reader.Feed(std::string_view(&c, 1), rec), 0);
  EXPECT_EQ(rec.events, (Events{"text:" + text, "ping:hi", "text:\xC3\xA9!"}));
  EXPECT_TRUE(reader.idle());
}

TEST(FrameReader, ManyFramesInOneFeedAreDeliveredInOrder) {
  std::string bytes;
  Events want;
  for (int i = 0; i < 50; ++i) {
    bytes += Frame(i % 2 ? Opcode::kBinary : Opcode::kText, "m" + std::to_string(i));
    want.push_back((i % 2 ? "binary:m" : "text:m") + std::to_string(i));
  }
  bytes += Frame(Opcode::kPong, "late");
  want.push_back("pong:late");
  Recorder rec;
  EXPECT_EQ(FeedAll(bytes, rec), 0);
  EXPECT_EQ(rec.events, want);
}

TEST(FrameReader, UnmasksCorrectlyForEveryChunkingAndMaskPhase) {
  std::mt19937 rng(42);  // fixed seed: the same chunkings every run
  for (int round = 0; round < 200; ++round) {
    std::string payload(rng() % 300, '\0');
    for (char& c : payload) c = static_cast<char>(rng());
    FrameOpts opts{.fin = true,
                   .key = {uint8_t(rng()), uint8_t(rng()), uint8_t(rng()), uint8_t(rng())}};
    std::string bytes = Frame(Opcode::kBinary, payload, opts);
    FrameReader reader(1 << 20);
    Recorder rec;
    for (size_t pos = 0; pos < bytes.size();) {
      size_t n = std::min<size_t>(1 + rng() % 40, bytes.size() - pos);
      ASSERT_EQ(reader.Feed(std::string_view(bytes).substr(pos, n), rec), 0);
      pos += n;
    }
    ASSERT_EQ(rec.events.size(), 1u);
    ASSERT_TRUE(rec.events[0] == "binary:" + payload) << "round " << round;
  }
}

TEST(FrameReader, EmptyMessagesAreDelivered) {
  Recorder rec;
  std::string bytes = Frame(Opcode::kText, "") + Frame(Opcode::kBinary, "", {.fin = false}) +
                      Frame(Opcode::kContinuation, "") + Frame(Opcode::kPing, "");
  EXPECT_EQ(FeedAll(bytes, rec), 0);
  EXPECT_EQ(rec.events, (Events{"text:", "binary:", "ping:"}));
}

// --- FrameReader: fragmentation ---

TEST(FrameReader, ControlFrameBetweenFragmentsIsDeliveredAtOnce) {
  FrameReader reader(1 << 20);
  Recorder rec;
  EXPECT_EQ(
      reader.Feed(Frame(Opcode::kText, "one ", {.fin = false}) + Frame(Opcode::kPing, "p1"), rec),
      0);
  EXPECT_EQ(rec.events, Events{"ping:p1"});
  EXPECT_FALSE(reader.idle());
  EXPECT_EQ(reader.buffered_bytes(), 4u);
  EXPECT_EQ(reader.Feed(Frame(Opcode::kContinuation, "two ", {.fin = false}) +
                            Frame(Opcode::kPong, "p2") + Frame(Opcode::kPing, "p3"),
                        rec),
            0);
  EXPECT_EQ(rec.events, (Events{"ping:p1", "pong:p2", "ping:p3"}));
  EXPECT_EQ(reader.Feed(Frame(Opcode::kContinuation, "three"), rec), 0);
  EXPECT_EQ(rec.events, (Events{"ping:p1", "pong:p2", "ping:p3", "text:one two three"}));
  EXPECT_TRUE(reader.idle());
}

TEST(FrameReader, Utf8SplitAcrossFragmentsIsValid) {
  // U+1F600 split 1+3, U+20AC split 2+1.
  std::string bytes = Frame(Opcode::kText, "a\xF0", {.fin = false}) +
                      Frame(Opcode::kContinuation, "\x9F\x98\x80\xE2\x82", {.fin = false}) +
                      Frame(Opcode::kContinuation, "\xAC");
  Recorder rec;
  EXPECT_EQ(FeedAll(bytes, rec), 0);
  EXPECT_EQ(rec.events, Events{"text:a\xF0\x9F\x98\x80\xE2\x82\xAC"});
}

TEST(FrameReader, ContinuationWithoutStartedMessageIsProtocolError) {
  Recorder rec;
  FrameReader reader(1 << 20);
  EXPECT_EQ(reader.Feed(Frame(Opcode::kContinuation, "x"), rec), kCloseProtocolError);
  EXPECT_NE(reader.error().find("continuation"), std::string::npos) << reader.error();
  EXPECT_TRUE(rec.events.empty());
}

TEST(FrameReader, NewDataFrameWhileFragmentedIsProtocolError) {
  Recorder rec;
  EXPECT_EQ(FeedAll(Frame(Opcode::kText, "a", {.fin = false}) + Frame(Opcode::kBinary, "b"), rec),
            kCloseProtocolError);
  EXPECT_EQ(FeedAll(Frame(Opcode::kText, "a", {.fin = false}) + Frame(Opcode::kText, "b"), rec),
            kCloseProtocolError);
  EXPECT_TRUE(rec.events.empty());
}

// --- FrameReader: header violations ---

TEST(FrameReader, UnmaskedClientFrameIsProtocolError) {
  Recorder rec;
  FrameReader reader(1 << 20);
  EXPECT_EQ(reader.Feed(Frame(Opcode::kText, "hi", {.mask = false}), rec), kCloseProtocolError);
  EXPECT_NE(reader.error().find("masked"), std::string::npos) << reader.error();
  EXPECT_TRUE(rec.events.empty());
}

TEST(FrameReader, RsvBitsAreProtocolError) {
  for (uint8_t rsv : {0x40, 0x20, 0x10}) {
    Recorder rec;
    EXPECT_EQ(FeedAll(Frame(Opcode::kText, "hi", {.rsv = rsv}), rec), kCloseProtocolError) << +rsv;
    EXPECT_TRUE(rec.events.empty());
  }
}

TEST(FrameReader, UnknownOpcodesAreProtocolError) {
  for (uint8_t op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    Recorder rec;
    EXPECT_EQ(FeedAll(Frame(op, "x"), rec), kCloseProtocolError) << +op;
  }
}

TEST(FrameReader, FragmentedControlFrameIsProtocolError) {
  for (Opcode op : {Opcode::kPing, Opcode::kPong, Opcode::kClose}) {
    Recorder rec;
    EXPECT_EQ(FeedAll(Frame(op, "", {.fin = false}), rec), kCloseProtocolError);
    EXPECT_TRUE(rec.events.empty());
  }
}

TEST(FrameReader, ControlFramePayloadOver125IsProtocolError) {
  Recorder rec;
  EXPECT_EQ(FeedAll(Frame(Opcode::kPing, std::string(125, 'p')), rec), 0);
  EXPECT_EQ(FeedAll(Frame(Opcode::kPing, std::string(126, 'p')), rec), kCloseProtocolError);
  EXPECT_EQ(FeedAll(Frame(Opcode::kClose, ClosePayload(1000, std::string(124, 'r'))), rec),
            kCloseProtocolError);
  EXPECT_EQ(rec.events.size(), 1u);
}

TEST(FrameReader, SixtyFourBitLengthWithTopBitSetIsProtocolError) {
  Recorder rec;
  FrameReader reader(~size_t{0});  // no size limit, so only the top bit can fail it
  EXPECT_EQ(reader.Feed(Header(2, uint64_t{1} << 63, {.length_bytes = 8}), rec),
            kCloseProtocolError);
  EXPECT_NE(reader.error().find("64-bit"), std::string::npos) << reader.error();
}

// --- FrameReader: size limit ---

TEST(FrameReader, OversizeIsDetectedFromTheHeaderBeforeThePayload) {
  FrameReader reader(1000);
  Recorder rec;
  EXPECT_EQ(reader.Feed(Header(1, 1001), rec), kCloseTooBig);  // no payload byte sent
  EXPECT_EQ(reader.buffered_bytes(), 0u);
  EXPECT_NE(reader.error().find("1000"), std::string::npos) << reader.error();

  FrameReader huge(1 << 20);  // a claimed 2^62-byte frame fails at once, nothing reserved
  EXPECT_EQ(huge.Feed(Header(2, uint64_t{1} << 62), rec), kCloseTooBig);
  EXPECT_EQ(huge.retained_capacity(), FrameReader(1).retained_capacity());
}

TEST(FrameReader, MessageExactlyAtLimitIsAccepted) {
  Recorder rec;
  EXPECT_EQ(FeedAll(Frame(Opcode::kBinary, std::string(1000, 'z')), rec, 1000), 0);
  EXPECT_EQ(rec.events.size(), 1u);
}

TEST(FrameReader, FragmentsSummingOverLimitAreTooBig) {
  FrameReader reader(10);
  Recorder rec;
  EXPECT_EQ(reader.Feed(Frame(Opcode::kText, "123456", {.fin = false}), rec), 0);
  EXPECT_EQ(reader.Feed(Frame(Opcode::kContinuation, "7890", {.fin = false}), rec), 0);
  EXPECT_EQ(reader.Feed(Header(0, 1), rec), kCloseTooBig);  // the header alone is enough
  EXPECT_TRUE(rec.events.empty());
}

// --- FrameReader: UTF-8 ---

TEST(FrameReader, InvalidUtf8TextIsInvalidPayload) {
  for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "ok\xE2\x82"}) {
    Recorder rec;
    FrameReader reader(1 << 20);
    EXPECT_EQ(reader.Feed(Frame(Opcode::kText, bad), rec), kCloseInvalidPayload) << bad;
    EXPECT_TRUE(rec.events.empty());
  }
}

TEST(FrameReader, TextEndingMidCharacterAcrossFragmentsIsInvalidPayload) {
  Recorder rec;
  EXPECT_EQ(
      FeedAll(Frame(Opcode::kText, "a\xE2", {.fin = false}) + Frame(Opcode::kContinuation, "\x82"),
              rec),
      kCloseInvalidPayload);
  // Invalid in an early fragment fails before the message ends.
  FrameReader reader(1 << 20);
  EXPECT_EQ(reader.Feed(Frame(Opcode::kText, "\xFF", {.fin = false}), rec), kCloseInvalidPayload);
  EXPECT_TRUE(rec.events.empty());
}

TEST(FrameReader, BinaryMessagesAreNotUtf8Checked) {
  Recorder rec;
  EXPECT_EQ(FeedAll(Frame(Opcode::kBinary, "\xFF\xC0"), rec), 0);
  EXPECT_EQ(rec.events, Events{"binary:\xFF\xC0"});
}

// --- FrameReader: close frames ---

TEST(FrameReader, CloseFrameWithCodeAndReasonIsParsed) {
  FrameReader reader(1 << 20);
  Recorder rec;
  EXPECT_EQ(reader.Feed(Frame(Opcode::kClose, ClosePayload(1001, "gone \xC3\xA9")), rec), 0);
  EXPECT_EQ(rec.events, Events{"close:1001:gone \xC3\xA9"});
  EXPECT_TRUE(reader.closed());
}

TEST(FrameReader, CloseFrameWithoutPayloadReports1005) {
  Recorder rec;
  EXPECT_EQ(FeedAll(Frame(Opcode::kClose, ""), rec), 0);
  EXPECT_EQ(rec.events, Events{"close:1005:"});
}

TEST(FrameReader, CloseFrameWithOneBytePayloadIsProtocolError) {
  Recorder rec;
  EXPECT_EQ(FeedAll(Frame(Opcode::kClose, "\x03"), rec), kCloseProtocolError);
  EXPECT_TRUE(rec.events.empty());
}

TEST(FrameReader, InvalidCloseCodesAreProtocolError) {
  for (uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000}) {
    Recorder rec;
    EXPECT_EQ(FeedAll(Frame(Opcode::kClose, ClosePayload(code)), rec), kCloseProtocolError) << code;
    EXPECT_TRUE(rec.events.empty());
  }
  for (uint16_t code : {1000, 1003, 1007, 1014, 3000, 4999}) {
    Recorder rec;
    EXPECT_EQ(FeedAll(Frame(Opcode::kClose, ClosePayload(code)), rec), 0) << code;
    EXPECT_EQ(rec.events, Events{"close:" + std::to_string(code) + ":"});
  }
}

TEST(FrameReader, CloseReasonThatIsNotUtf8IsInvalidPayload) {
  Recorder rec;
  EXPECT_EQ(FeedAll(Frame(Opcode::kClose, ClosePayload(1000, "\xC3")), rec), kCloseInvalidPayload);
  EXPECT_TRUE(rec.events.empty());
}

TEST(FrameReader, DataAfterCloseIsIgnored) {
  FrameReader reader(1 << 20);
  Recorder rec;
  std::string bytes = Frame(Opcode::kText, "a", {.fin = false}) +
                      Frame(Opcode::kClose, ClosePayload(1000)) + Frame(Opcode::kText, "after");
  EXPECT_EQ(reader.Feed(bytes, rec), 0);
  EXPECT_EQ(reader.Feed(Frame(Opcode::kText, "later"), rec), 0);
  EXPECT_EQ(reader.Feed("\xFF\xFF garbage", rec), 0);
  EXPECT_EQ(rec.events, Events{"close:1000:"});
  EXPECT_TRUE(reader.closed());
  EXPECT_TRUE(reader.idle());  // the pending fragment was dropped
  EXPECT_EQ(reader.buffered_bytes(), 0u);
}

TEST(FrameReader, ErrorIsStickyAndLaterDataIgnored) {
  FrameReader reader(1 << 20);
  Recorder rec;
  EXPECT_EQ(reader.Feed(Frame(Opcode::kText, "ok") + Frame(Opcode::kText, "x", {.mask = false}) +
                            Frame(Opcode::kText, "never"),
                        rec),
            kCloseProtocolError);
  std::string first_error = reader.error();
  EXPECT_EQ(reader.Feed(Frame(Opcode::kText, "valid"), rec), kCloseProtocolError);
  EXPECT_EQ(reader.error(), first_error);
  EXPECT_EQ(rec.events, Events{"text:ok"});
  EXPECT_FALSE(reader.closed());
}

// --- FrameReader: memory held ---

TEST(FrameReader, IdleWithNothingBufferedAfterCompleteMessage) {
  FrameReader reader(1 << 20);
  Recorder rec;
  EXPECT_TRUE(reader.idle());
  std::string bytes = Frame(Opcode::kText, "hello world");
  EXPECT_EQ(reader.Feed(std::string_view(bytes).substr(0, 7), rec), 0);
  EXPECT_FALSE(reader.idle());
  EXPECT_EQ(reader.buffered_bytes(), 1u);  // 6 header bytes consumed, 1 payload byte held
  EXPECT_EQ(reader.Feed(std::string_view(bytes).substr(7), rec), 0);
  EXPECT_TRUE(reader.idle());
  EXPECT_EQ(reader.buffered_bytes(), 0u);
  EXPECT_EQ(rec.events, Events{"text:hello world"});
}

TEST(FrameReader, PartialHeaderCountsAsBuffered) {
  FrameReader reader(1 << 20);
  Recorder rec;
  std::string header = Header(1, 300);
  EXPECT_EQ(reader.Feed(std::string_view(header).substr(0, 3), rec), 0);
  EXPECT_FALSE(reader.idle());
  EXPECT_EQ(reader.buffered_bytes(), 3u);
}

TEST(FrameReader, LargeBuffersAreReleasedOnceMessageCompletes) {
  const size_t empty = FrameReader(1).retained_capacity();
  FrameReader reader(1 << 20);
  Recorder rec;
  std::string big(100000, 'b');
  EXPECT_EQ(reader.Feed(Frame(Opcode::kBinary, big), rec), 0);  // whole: the scratch path
  EXPECT_EQ(reader.retained_capacity(), empty);
  std::string split = Frame(Opcode::kBinary, big);
  EXPECT_EQ(reader.Feed(std::string_view(split).substr(0, 5000), rec), 0);  // pieces: message_
  EXPECT_GE(reader.retained_capacity(), 4000u);
  EXPECT_EQ(reader.Feed(std::string_view(split).substr(5000), rec), 0);
  EXPECT_EQ(reader.retained_capacity(), empty);
  EXPECT_EQ(reader.Feed(Frame(Opcode::kText, "a", {.fin = false}) +
                            Frame(Opcode::kContinuation, std::string(9000, 'c')),
                        rec),
            0);
  EXPECT_EQ(reader.retained_capacity(), empty);
  EXPECT_EQ(rec.events.size(), 3u);
}

TEST(FrameReader, PendingMessageIsReleasedOnErrorAndOnClose) {
  const size_t empty = FrameReader(1).retained_capacity();
  std::string start = Frame(Opcode::kBinary, std::string(20000, 'f'), {.fin = false});
  for (const std::string& end :
       {Frame(Opcode::kClose, ""), Frame(Opcode::kPing, "", {.mask = false})}) {
    FrameReader reader(1 << 20);
    Recorder rec;
    EXPECT_EQ(reader.Feed(start, rec), 0);
    EXPECT_GT(reader.retained_capacity(), 20000u);
    reader.Feed(end, rec);
    EXPECT_EQ(reader.retained_capacity(), empty);
    EXPECT_EQ(reader.buffered_bytes(), 0u);
  }
}

TEST(FrameReader, SmallScratchIsKeptForReuse) {
  FrameReader reader(1 << 20);
  Recorder rec;
  EXPECT_EQ(reader.Feed(Frame(Opcode::kText, std::string(1000, 's')), rec), 0);
  size_t kept = reader.retained_capacity();
  EXPECT_LE(kept, 4096u + FrameReader(1).retained_capacity());
  EXPECT_EQ(reader.Feed(Frame(Opcode::kText, std::string(900, 't')), rec), 0);
  EXPECT_EQ(reader.retained_capacity(), kept);  // reused, not reallocated
  EXPECT_TRUE(reader.idle());
}

}  // namespace
}  // namespace relayer::server::ws

namespace relayer::server::ws {
namespace {

TEST(ServerFrameSize, WalksFramesAsAppendFrameWritesThem) {
  std::string out;
  AppendFrame(out, Opcode::kText, std::string(10, 'a'));
  AppendFrame(out, Opcode::kPing, {});
  AppendFrame(out, Opcode::kText, std::string(300, 'b'));
  AppendFrame(out, Opcode::kText, std::string(70000, 'c'));
  const std::pair<Opcode, size_t> expected[] = {{Opcode::kText, 2 + 10},
                                                {Opcode::kPing, 2},
                                                {Opcode::kText, 4 + 300},
                                                {Opcode::kText, 10 + 70000}};
  std::string_view rest(out);
  for (const auto& [op, size] : expected) {
    Opcode got = Opcode::kBinary;
    EXPECT_EQ(ServerFrameSize(rest, got), size);
    EXPECT_EQ(got, op);
    rest.remove_prefix(size);
  }
  EXPECT_TRUE(rest.empty());
  Opcode op;
  EXPECT_EQ(ServerFrameSize(std::string_view(out).substr(0, 1), op), 0u);  // half a header
  std::string big;
  AppendFrame(big, Opcode::kText, std::string(70000, 'c'));
  EXPECT_EQ(ServerFrameSize(std::string_view(big).substr(0, 5), op), 0u);
}

}  // namespace
}  // namespace relayer::server::ws
