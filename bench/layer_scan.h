// The hot path of the layer-2.0 transport (layer_transport.cc), written to allocate nothing per
// message once warmed up: the Message.create request built by string appends, one pass over each
// packet from the server that picks out the few fields the chat scenarios use (validating the
// JSON as it goes), and the table between a message's sequence number and its id.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace relayer::bench {

// `s` as a JSON string, quotes included: `"` `\` and control characters escaped as Boost.JSON
// does (\b \f \n \r \t, else \u00XX); other bytes (UTF-8 included) as they are.
void AppendJsonString(std::string& out, std::string_view s);

// {"type":"request","body":{"method":"Message.create","request_id":"s<seq>","object_id":ID,
// "data":{"parts":[{"mime_type":"text/plain","body":TEXT},
// {"mime_type":"application/x-bench","body":"{\"kind\":\"bench\"}"}]}}}
// `conversation_json` is the conversation id already as a JSON string (AppendJsonString).
void AppendBenchMessageCreate(std::string& out, uint64_t seq, std::string_view conversation_json,
                              std::string_view text);

struct LayerPatch {
  std::string_view property, value;  // "" when absent or not a string
};

// What ScanLayerPacket picked out of one packet. Every string is unescaped; "" when absent or not a
// string (as a missing field reads in the scenarios). Views point into the packet or into the
// scratch string given to ScanLayerPacket, and stay valid until the next scan.
struct LayerPacket {
  std::string_view type;             // "response", "change", ...
  std::string_view request_id;       // body.request_id
  int success = -1;                  // body.success: 1 true, 0 false, -1 absent or not a bool
  std::string_view operation;        // body.operation
  std::string_view object_type;      // body.object.type
  std::string_view object_id;        // body.object.id
  std::string_view data_id;          // body.data.id            (body.data an object)
  std::string_view error_message;    // body.data.message       (body.data an object)
  std::string_view sender_user_id;   // body.data.sender.user_id
  std::string_view first_part_body;  // body.data.parts[0].body
  // body.data an array (an update): one entry per element that is an object, in order.
  std::vector<LayerPatch> patches;
};

// Scans `text` once. False when it is not exactly one well-formed JSON object (nested at most 64
// deep); then `out` is partly filled. `scratch` holds unescaped strings; its capacity is reused.
bool ScanLayerPacket(std::string_view text, LayerPacket& out, std::string& scratch);

// The leading decimal digits of `s` as a number ("12x" → 12, "" → 0), as strtoull reads them;
// saturates instead of overflowing.
uint64_t LeadingNumber(std::string_view s);

// Message ids by sequence number and back (the first id remembered for a seq wins). Ids live in
// 1 MB chunks that never move; seq → id is a paged array (sequence numbers are dense), id → seq an
// open-addressing table of (hash, seq) whose hits are confirmed against the stored id. That table
// is filled lazily, by the first SeqOf after a Remember: a run without receipts never asks, and
// never pays for its scattered inserts.
class MessageIds {
 public:
  MessageIds();
  // Ignores "" and a seq that already has an id.
  void Remember(uint64_t seq, std::string_view id);
  // "" when unknown.
  std::string_view IdOf(uint64_t seq) const;
  // False when unknown.
  bool SeqOf(std::string_view id, uint64_t& seq) const;
  size_t size() const { return count_; }

 private:
  static constexpr size_t kPageBits = 16;
  static constexpr size_t kChunk = 1 << 20;
  struct Slot {
    uint64_t hash = 0;
    uint64_t seq_plus_one = 0;  // 0: empty
  };
  std::string_view Store(std::string_view id);
  void IndexPending() const;
  void Insert(uint64_t hash, uint64_t seq) const;
  void Grow() const;

  std::vector<std::unique_ptr<std::string_view[]>> pages_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = kChunk;
  // The id → seq index, a cache of the pages: filled from unindexed_ when SeqOf needs it.
  mutable std::vector<Slot> slots_;  // a power of two, at most half full
  mutable std::vector<uint64_t> unindexed_;
  mutable size_t indexed_ = 0;
  size_t count_ = 0;
};

}  // namespace relayer::bench
