// RFC 6455 framing for the server side, sans I/O: AppendFrame/AppendClose encode server-to-client
// frames into a caller's buffer, FrameReader decodes client-to-server bytes into callbacks. No
// extensions are negotiated (RSV bits must be 0). Bad input is a close code, never an exception.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace relayer::server::ws {

enum class Opcode : uint8_t {
  kContinuation = 0,
  kText = 1,
  kBinary = 2,
  kClose = 8,
  kPing = 9,
  kPong = 10
};

// Appends one complete, unmasked, FIN frame (server to client) to `out`: 2-byte header for payloads
// < 126, 16-bit extended length up to 65535, 64-bit beyond. Allocates only by growing `out`.
void AppendFrame(std::string& out, Opcode op, std::string_view payload);
// Only the header of such a frame, for a payload of `size` bytes the caller appends next.
void AppendFrameHeader(std::string& out, Opcode op, uint64_t size);
// The size (header and payload) and opcode of the frame AppendFrame wrote at the front of
// `frames`; 0 when `frames` does not start with a whole header.
size_t ServerFrameSize(std::string_view frames, Opcode& op);
// A close frame: 2-byte big-endian code + reason, the reason cut (at a UTF-8 character boundary)
// so the payload stays <= 125 bytes. code 0 = empty payload (the reason is then ignored).
void AppendClose(std::string& out, uint16_t code, std::string_view reason);

// Close codes (RFC 6455 section 7.4.1); the reader reports 1002, 1007 and 1009.
constexpr uint16_t kCloseNormal = 1000, kCloseGoingAway = 1001, kCloseProtocolError = 1002,
                   kCloseUnsupported = 1003, kCloseNoStatus = 1005, kCloseInvalidPayload = 1007,
                   kClosePolicy = 1008, kCloseTooBig = 1009, kCloseTryAgainLater = 1013;

// True when `text` is well-formed UTF-8 (no overlongs, surrogates, code points > U+10FFFF or
// truncated sequences).
bool IsValidUtf8(std::string_view text);
// Whether a peer may send `code` in a close frame: 1000-1003, 1007-1014, 3000-4999.
bool IsValidCloseCode(uint16_t code);

// Incremental UTF-8 checker, so a text message is checked as its fragments arrive.
class Utf8Validator {
 public:
  // False once the bytes so far cannot begin any valid text; stays false.
  bool Add(std::string_view bytes);
  // True when everything added so far is valid and ends on a character boundary.
  bool complete() const { return ok_ && need_ == 0; }
  void Reset() { *this = Utf8Validator(); }

 private:
  bool ok_ = true;
  uint8_t need_ = 0;               // continuation bytes still expected
  uint8_t lo_ = 0x80, hi_ = 0xBF;  // the allowed range of the next continuation byte
};

// Incremental decoder of client-to-server frames. Holds no buffer while idle: the payload of an
// incomplete frame and the pieces of a fragmented message are kept in a std::string that is
// released once the message completes; a whole small frame in one Feed is unmasked into a reused
// scratch string (released when it grew beyond 4 KB). Not thread-safe (one connection, one
// thread); handlers must not call back into the reader.
class FrameReader {
 public:
  explicit FrameReader(size_t max_message_bytes);

  // Callbacks made during Feed, in the order of the frames. The views are valid only during the
  // call.
  struct Handler {
    virtual ~Handler() = default;
    virtual void OnMessage(std::string_view payload, bool text) = 0;  // a complete data message
    virtual void OnPing(std::string_view payload) = 0;
    virtual void OnPong(std::string_view payload) = 0;
    // A valid close frame; code 1005 when it had no payload. The reader then ignores all data.
    virtual void OnClose(uint16_t code, std::string_view reason) = 0;
  };

  // Consumes all of `data` (it may hold many frames, or part of one). Returns 0 while the stream
  // is fine (also after OnClose), or a close code (kCloseProtocolError, kCloseInvalidPayload,
  // kCloseTooBig) on the first violation; after an error or OnClose, Feed ignores its data and
  // returns the same value again. `error()` describes the violation.
  uint16_t Feed(std::string_view data, Handler& handler);

  const std::string& error() const { return error_; }
  bool closed() const { return state_ == State::kDone && code_ == 0; }  // OnClose was made
  // Nothing partial held (no bytes buffered, no fragmented message pending).
  bool idle() const { return state_ != State::kPayload && header_len_ == 0 && !in_message_; }
  size_t buffered_bytes() const { return header_len_ + control_len_ + message_.size(); }
  // Heap capacity the reader's strings keep between calls (to test that it is released).
  size_t retained_capacity() const;

 private:
  enum class State : uint8_t { kHeader, kPayload, kDone };

  bool TakeHeader(std::string_view& data);
  bool CheckFirstByte();
  bool CheckLength();
  void TakePayload(std::string_view& data, Handler& handler);
  void FinishFrame(Handler& handler);
  void DeliverMessage(std::string_view payload, Handler& handler);
  void HandleClose(Handler& handler);
  void Fail(uint16_t code, std::string message);
  void ReleaseMessage();

  const size_t max_message_bytes_;
  State state_ = State::kHeader;
  uint16_t code_ = 0;  // the close code Feed returns once done
  std::string error_;

  // The frame being read.
  std::array<uint8_t, 14> header_{};  // at most 2 + 8 (length) + 4 (mask) bytes
  size_t header_len_ = 0;
  bool fin_ = false;
  Opcode opcode_ = Opcode::kContinuation;
  std::array<uint8_t, 4> mask_{};
  uint64_t remaining_ = 0;  // payload bytes still to come
  uint64_t offset_ = 0;     // payload bytes already read (the mask's phase)
  std::array<char, 125> control_{};
  size_t control_len_ = 0;

  // The data message being assembled.
  bool in_message_ = false;
  bool text_ = false;
  Utf8Validator utf8_;
  std::string message_;
  std::string scratch_;
};

}  // namespace relayer::server::ws
