#include "server/ws/frames.h"

#include <algorithm>
#include <cstring>

namespace relayer::server::ws {
namespace {

constexpr size_t kScratchKeep = 4096;  // a reused scratch larger than this is released
constexpr uint64_t kHighBits = 0x8080808080808080ull;

bool IsControl(Opcode op) { return static_cast<uint8_t>(op) >= 8; }

// XORs `n` bytes in place with the key, starting at payload position `offset` (the key's phase).
// A 64-bit word of the key, built in memory order, makes this endian-independent.
void Unmask(char* p, size_t n, const std::array<uint8_t, 4>& key, uint64_t offset) {
  uint8_t rotated[8];
  for (size_t i = 0; i < 8; ++i) rotated[i] = key[(offset + i) & 3];
  uint64_t word_key;
  std::memcpy(&word_key, rotated, 8);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    word ^= word_key;
    std::memcpy(p + i, &word, 8);
  }
  for (; i < n; ++i) p[i] = static_cast<char>(p[i] ^ rotated[i & 7]);
}

}  // namespace

void AppendFrameHeader(std::string& out, Opcode op, uint64_t size) {
  uint8_t header[10];
  size_t len = 2;
  header[0] = 0x80 | static_cast<uint8_t>(op);
  if (size < 126) {
    header[1] = static_cast<uint8_t>(size);
  } else if (size <= 0xFFFF) {
    header[1] = 126;
    header[2] = static_cast<uint8_t>(size >> 8);
    header[3] = static_cast<uint8_t>(size);
    len = 4;
  } else {
    header[1] = 127;
    for (int i = 0; i < 8; ++i) header[2 + i] = static_cast<uint8_t>(size >> (56 - 8 * i));
    len = 10;
  }
  out.append(reinterpret_cast<const char*>(header), len);
}

size_t ServerFrameSize(std::string_view frames, Opcode& op) {
  if (frames.size() < 2) return 0;
  const auto* b = reinterpret_cast<const uint8_t*>(frames.data());
  op = static_cast<Opcode>(b[0] & 0x0F);
  uint64_t size = b[1] & 0x7F;
  size_t header = 2;
  if (size == 126) header = 4;
  if (size == 127) header = 10;
  if (frames.size() < header) return 0;
  if (header > 2) {
    size = 0;
    for (size_t i = 2; i < header; ++i) size = (size << 8) | b[i];
  }
  return header + static_cast<size_t>(size);
}

void AppendFrame(std::string& out, Opcode op, std::string_view payload) {
  AppendFrameHeader(out, op, payload.size());
  out.append(payload);
}

void AppendClose(std::string& out, uint16_t code, std::string_view reason) {
  if (code == 0) return AppendFrame(out, Opcode::kClose, {});
  if (reason.size() > 123) {
    // Cut before a continuation byte, or the client would reject the reason as invalid UTF-8.
    size_t cut = 123;
    while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  char payload[125];
  payload[0] = static_cast<char>(code >> 8);
  payload[1] = static_cast<char>(code & 0xFF);
  std::memcpy(payload + 2, reason.data(), reason.size());
  AppendFrame(out, Opcode::kClose, {payload, 2 + reason.size()});
}

bool Utf8Validator::Add(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = p + bytes.size();
  while (ok_ && p < end) {
    if (need_ > 0) {
      uint8_t b = *p++;
      if (b < lo_ || b > hi_) return ok_ = false;
      lo_ = 0x80;
      hi_ = 0xBF;
      --need_;
      continue;
    }
    // Chat text is mostly ASCII: skip it a word at a time.
    for (uint64_t w; end - p >= 8; p += 8) {
      std::memcpy(&w, p, 8);
      if (w & kHighBits) break;
    }
    if (p == end) break;
    uint8_t b = *p++;
    if (b < 0x80) continue;
    // The lead byte fixes the sequence length and the range of the second byte, which excludes
    // overlongs (E0, F0), surrogates (ED) and code points beyond U+10FFFF (F4).
    if (b >= 0xC2 && b <= 0xDF) {
      need_ = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need_ = 2;
      if (b == 0xE0) lo_ = 0xA0;
      if (b == 0xED) hi_ = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      need_ = 3;
      if (b == 0xF0) lo_ = 0x90;
      if (b == 0xF4) hi_ = 0x8F;
    } else {
      ok_ = false;
    }
  }
  return ok_;
}

bool IsValidUtf8(std::string_view text) {
  Utf8Validator v;
  return v.Add(text) && v.complete();
}

bool IsValidCloseCode(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

FrameReader::FrameReader(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

size_t FrameReader::retained_capacity() const { return message_.capacity() + scratch_.capacity(); }

uint16_t FrameReader::Feed(std::string_view data, Handler& handler) {
  while (state_ != State::kDone) {
    if (state_ == State::kHeader) {
      if (!TakeHeader(data)) break;
    } else {
      if (remaining_ > 0 && data.empty()) break;
      TakePayload(data, handler);  // also finishes a frame with an empty payload
    }
  }
  return code_;
}

// Copies header bytes into header_ until the header is whole; each part is checked as soon as it
// arrives, so a bad or oversized frame fails before any of its payload is buffered.
bool FrameReader::TakeHeader(std::string_view& data) {
  while (true) {
    size_t need = 2;
    if (header_len_ >= 2) {
      uint8_t len7 = header_[1] & 0x7F;
      need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
    }
    if (header_len_ == need) break;
    if (data.empty()) return false;
    size_t before = header_len_;
    size_t take = std::min(need - header_len_, data.size());
    std::memcpy(header_.data() + header_len_, data.data(), take);
    header_len_ += take;
    data.remove_prefix(take);
    if (before == 0 && !CheckFirstByte()) return false;
    if (before < 2 && header_len_ >= 2 && !(header_[1] & 0x80)) {
      Fail(kCloseProtocolError, "client frame is not masked");
      return false;
    }
  }
  if (!CheckLength()) return false;
  std::memcpy(mask_.data(), header_.data() + header_len_ - 4, 4);
  header_len_ = 0;
  offset_ = 0;
  control_len_ = 0;
  state_ = State::kPayload;
  if (!IsControl(opcode_) && opcode_ != Opcode::kContinuation) {
    in_message_ = true;
    text_ = opcode_ == Opcode::kText;
    utf8_.Reset();
  }
  return true;
}

bool FrameReader::CheckFirstByte() {
  uint8_t b = header_[0];
  fin_ = b & 0x80;
  uint8_t op = b & 0x0F;
  opcode_ = static_cast<Opcode>(op);
  if (b & 0x70) {
    Fail(kCloseProtocolError, "RSV bits set but no extension was negotiated");
  } else if ((op > 2 && op < 8) || op > 10) {
    Fail(kCloseProtocolError, "unknown opcode " + std::to_string(op));
  } else if (IsControl(opcode_)) {
    if (!fin_) Fail(kCloseProtocolError, "fragmented control frame");
  } else if (opcode_ == Opcode::kContinuation && !in_message_) {
    Fail(kCloseProtocolError, "continuation frame without a message to continue");
  } else if (opcode_ != Opcode::kContinuation && in_message_) {
    Fail(kCloseProtocolError, "new data frame while a fragmented message is pending");
  }
  return state_ != State::kDone;
}

bool FrameReader::CheckLength() {
  uint64_t len = header_[1] & 0x7F;
  if (len == 126) {
    len = uint64_t{header_[2]} << 8 | header_[3];
  } else if (len == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i) len = len << 8 | header_[2 + i];
    if (len >> 63) {
      Fail(kCloseProtocolError, "64-bit payload length with the most significant bit set");
      return false;
    }
  }
  if (IsControl(opcode_)) {
    if (len > 125) Fail(kCloseProtocolError, "control frame payload over 125 bytes");
  } else {
    uint64_t so_far = opcode_ == Opcode::kContinuation ? message_.size() : 0;
    if (len > max_message_bytes_ - so_far) {
      Fail(kCloseTooBig, "message of " + std::to_string(so_far + len) +
                             " bytes exceeds the limit of " + std::to_string(max_message_bytes_));
    }
  }
  remaining_ = len;
  return state_ != State::kDone;
}

void FrameReader::TakePayload(std::string_view& data, Handler& handler) {
  size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
  if (IsControl(opcode_)) {
    std::memcpy(control_.data() + control_len_, data.data(), n);
    Unmask(control_.data() + control_len_, n, mask_, offset_);
    control_len_ += n;
  } else if (opcode_ != Opcode::kContinuation && fin_ && offset_ == 0 && n == remaining_) {
    // The common case, a whole single-frame message in hand: unmask into the reused scratch.
    scratch_.assign(data.data(), n);
    data.remove_prefix(n);
    remaining_ = 0;
    Unmask(scratch_.data(), n, mask_, 0);
    if (text_ && !IsValidUtf8(scratch_)) return Fail(kCloseInvalidPayload, "text is not UTF-8");
    DeliverMessage(scratch_, handler);
    if (scratch_.capacity() > kScratchKeep) std::string().swap(scratch_);
    return;
  } else {
    size_t old = message_.size();
    message_.append(data.data(), n);
    Unmask(message_.data() + old, n, mask_, offset_);
    if (text_ && !utf8_.Add(std::string_view(message_).substr(old))) {
      return Fail(kCloseInvalidPayload, "text is not UTF-8");
    }
  }
  data.remove_prefix(n);
  remaining_ -= n;
  offset_ += n;
  if (remaining_ == 0) FinishFrame(handler);
}

void FrameReader::FinishFrame(Handler& handler) {
  state_ = State::kHeader;
  std::string_view control(control_.data(), control_len_);
  switch (opcode_) {
    case Opcode::kPing:
      control_len_ = 0;
      return handler.OnPing(control);
    case Opcode::kPong:
      control_len_ = 0;
      return handler.OnPong(control);
    case Opcode::kClose:
      return HandleClose(handler);
    default:
      break;
  }
  if (!fin_) return;
  if (text_ && !utf8_.complete()) return Fail(kCloseInvalidPayload, "text ends mid-character");
  // Moved out first so the reader is idle during the callback and the buffer is freed after it.
  std::string message;
  message.swap(message_);
  DeliverMessage(message, handler);
}

void FrameReader::DeliverMessage(std::string_view payload, Handler& handler) {
  in_message_ = false;
  utf8_.Reset();
  state_ = State::kHeader;
  handler.OnMessage(payload, text_);
}

void FrameReader::HandleClose(Handler& handler) {
  std::string_view payload(control_.data(), control_len_);
  control_len_ = 0;
  if (payload.size() == 1) return Fail(kCloseProtocolError, "close payload of 1 byte");
  uint16_t code = kCloseNoStatus;
  std::string_view reason;
  if (payload.size() >= 2) {
    code = static_cast<uint16_t>(static_cast<uint8_t>(payload[0]) << 8 |
                                 static_cast<uint8_t>(payload[1]));
    if (!IsValidCloseCode(code)) {
      return Fail(kCloseProtocolError, "invalid close code " + std::to_string(code));
    }
    reason = payload.substr(2);
    if (!IsValidUtf8(reason)) return Fail(kCloseInvalidPayload, "close reason is not UTF-8");
  }
  state_ = State::kDone;
  code_ = 0;
  ReleaseMessage();
  std::string().swap(scratch_);
  handler.OnClose(code, reason);
}

void FrameReader::Fail(uint16_t code, std::string message) {
  state_ = State::kDone;
  code_ = code;
  error_ = std::move(message);
  header_len_ = 0;
  control_len_ = 0;
  ReleaseMessage();
  std::string().swap(scratch_);
}

void FrameReader::ReleaseMessage() {
  std::string().swap(message_);
  in_message_ = false;
  utf8_.Reset();
}

}  // namespace relayer::server::ws
