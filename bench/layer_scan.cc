#include "layer_scan.h"

#include <cstring>
#include <functional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "xmpp_text.h"

namespace relayer::bench {

namespace {

// The offset of the first '"', '\\' or control character in s[from, s.size()), or s.size().
size_t FindSpecial(std::string_view s, size_t from) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), slash = _mm_set1_epi8('\\');
  const __m128i below_space = _mm_set1_epi8(0x1f);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);  // v <= 0x1f
    const int mask = _mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)), control));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return i;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t plain = 0;  // start of the run not yet copied
  for (size_t i = FindSpecial(s, 0); i < s.size(); i = FindSpecial(s, i + 1)) {
    const auto c = static_cast<unsigned char>(s[i]);
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\b':
        out.push_back('b');
        break;
      case '\f':
        out.push_back('f');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\r':
        out.push_back('r');
        break;
      case '\t':
        out.push_back('t');
        break;
      default:
        out += "u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out.push_back('"');
}

void AppendBenchMessageCreate(std::string& out, uint64_t seq, std::string_view conversation_json,
                              std::string_view text) {
  out += R"({"type":"request","body":{"method":"Message.create","request_id":"s)";
  AppendUint(out, seq);
  out += R"(","object_id":)";
  out += conversation_json;
  out += R"(,"data":{"parts":[{"mime_type":"text/plain","body":)";
  AppendJsonString(out, text);
  out += R"(},{"mime_type":"application/x-bench","body":"{\"kind\":\"bench\"}"}]}}})";
}

uint64_t LeadingNumber(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') break;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return UINT64_MAX;
    v = v * 10 + digit;
  }
  return v;
}

namespace {

// Where in a packet the scanner is: only these objects and arrays hold fields it keeps.
enum Ctx : uint8_t {
  kNone,
  kRoot,       // the packet
  kBody,       // body
  kData,       // body.data, an object
  kObject,     // body.object
  kSender,     // body.data.sender
  kParts,      // body.data.parts
  kFirstPart,  // body.data.parts[0]
  kPatches,    // body.data, an array
  kPatch,      // one of its elements
};

constexpr int kMaxDepth = 64;

// Where one value goes: into a field (a string or a bool), or it is an object or array to look
// into. Anything else is only checked.
struct Target {
  Ctx object = kNone, array = kNone;
  std::string_view* str = nullptr;
  int* flag = nullptr;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Scanner {
 public:
  Scanner(std::string_view text, LayerPacket& out, std::string& scratch)
      : p_(text.data()), end_(text.data() + text.size()), out_(out), scratch_(scratch) {}

  bool Run() {
    SkipSpace();
    if (p_ == end_ || *p_ != '{') return false;
    if (!Object(kRoot)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  Target MemberTarget(Ctx ctx, std::string_view key) {
    Target t;
    switch (ctx) {
      case kRoot:
        if (key == "type") t.str = &out_.type;
        if (key == "body") t.object = kBody;
        break;
      case kBody:
        if (key == "request_id") t.str = &out_.request_id;
        if (key == "success") t.flag = &out_.success;
        if (key == "operation") t.str = &out_.operation;
        if (key == "object") t.object = kObject;
        if (key == "data") t.object = kData, t.array = kPatches;
        break;
      case kData:
        if (key == "id") t.str = &out_.data_id;
        if (key == "message") t.str = &out_.error_message;
        if (key == "sender") t.object = kSender;
        if (key == "parts") t.array = kParts;
        break;
      case kObject:
        if (key == "type") t.str = &out_.object_type;
        if (key == "id") t.str = &out_.object_id;
        break;
      case kSender:
        if (key == "user_id") t.str = &out_.sender_user_id;
        break;
      case kFirstPart:
        if (key == "body") t.str = &out_.first_part_body;
        break;
      case kPatch:
        if (key == "property") t.str = &out_.patches.back().property;
        if (key == "value") t.str = &out_.patches.back().value;
        break;
      default:
        break;
    }
    return t;
  }

  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Value(const Target& t) {
    SkipSpace();
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return Object(t.object);
      case '[':
        return Array(t.array);
      case '"': {
        std::string_view s;
        if (!String(s)) return false;
        if (t.str) *t.str = s;
        return true;
      }
      case 't':
        if (!Literal("true")) return false;
        if (t.flag) *t.flag = 1;
        return true;
      case 'f':
        if (!Literal("false")) return false;
        if (t.flag) *t.flag = 0;
        return true;
      case 'n':
        return Literal("null");
      default:
        return Number();
    }
  }

  bool Object(Ctx ctx) {
    if (++depth_ > kMaxDepth) return false;
    ++p_;  // '{'
    SkipSpace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      --depth_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (p_ == end_ || *p_ != '"') return false;
      std::string_view key;
      if (!String(key)) return false;
      SkipSpace();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      const Target t = ctx == kNone ? Target() : MemberTarget(ctx, key);
      if (!Value(t)) return false;
      SkipSpace();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      --depth_;
      return true;
    }
  }

  bool Array(Ctx ctx) {
    if (++depth_ > kMaxDepth) return false;
    ++p_;  // '['
    SkipSpace();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      --depth_;
      return true;
    }
    for (size_t i = 0;; ++i) {
      Target t;
      if (ctx == kParts && i == 0) t.object = kFirstPart;
      if (ctx == kPatches) {
        SkipSpace();
        if (p_ != end_ && *p_ == '{') {
          out_.patches.emplace_back();
          t.object = kPatch;
        }
      }
      if (!Value(t)) return false;
      SkipSpace();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      --depth_;
      return true;
    }
  }

  // Moves p_ to the first '"', '\' or control character at or after it (or to the end).
  void SkipPlain() {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), slash = _mm_set1_epi8('\\');
    const __m128i below_space = _mm_set1_epi8(0x1f);
    while (end_ - p_ >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
      const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);  // v <= 0x1f
      const __m128i hits =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)), control);
      const int mask = _mm_movemask_epi8(hits);
      if (mask != 0) {
        p_ += __builtin_ctz(static_cast<unsigned>(mask));
        return;
      }
      p_ += 16;
    }
#endif
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    while (end_ - p_ >= 8) {
      uint64_t v;
      std::memcpy(&v, p_, 8);
      const uint64_t quote = v ^ (kOnes * '"');
      const uint64_t slash = v ^ (kOnes * '\\');
      const uint64_t hits =
          ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash) | ((v - kOnes * 0x20) & ~v);
      if (hits & kHigh) break;  // one of these 8 bytes; the byte loop finds which
      p_ += 8;
    }
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"' || c == '\\' || c < 0x20) return;
      ++p_;
    }
  }

  // p_ at the opening quote. `s` is the unescaped string (a view of the packet when it has no
  // escapes, else of the scratch string).
  bool String(std::string_view& s) {
    const char* start = ++p_;
    SkipPlain();
    if (p_ == end_) return false;
    if (*p_ == '"') {
      s = std::string_view(start, static_cast<size_t>(p_ - start));
      ++p_;
      return true;
    }
    if (*p_ != '\\') return false;  // a raw control character
    // The scratch string was reserved to the packet's size, and unescaped text is never longer
    // than its source, so appending here never moves earlier views.
    const size_t begin = scratch_.size();
    scratch_.append(start, static_cast<size_t>(p_ - start));
    for (;;) {
      if (p_ == end_) return false;
      const char c = *p_;
      if (c == '"') break;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        const char* run = p_;
        SkipPlain();
        scratch_.append(run, static_cast<size_t>(p_ - run));
        continue;
      }
      if (++p_ == end_) return false;
      switch (*p_++) {
        case '"':
          scratch_.push_back('"');
          break;
        case '\\':
          scratch_.push_back('\\');
          break;
        case '/':
          scratch_.push_back('/');
          break;
        case 'b':
          scratch_.push_back('\b');
          break;
        case 'f':
          scratch_.push_back('\f');
          break;
        case 'n':
          scratch_.push_back('\n');
          break;
        case 'r':
          scratch_.push_back('\r');
          break;
        case 't':
          scratch_.push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a trailing surrogate first
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            if (!Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(scratch_, cp);
          break;
        }
        default:
          return false;
      }
    }
    ++p_;  // the closing quote
    s = std::string_view(scratch_.data() + begin, scratch_.size() - begin);
    return true;
  }

  bool Hex4(uint32_t& v) {
    if (end_ - p_ < 4) return false;
    for (int i = 0; i < 4; ++i) {
      const int d = HexDigit(*p_++);
      if (d < 0) return false;
      v = v << 4 | static_cast<uint32_t>(d);
    }
    return true;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }

  bool Digits() {
    const char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number() {
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (!Digits()) {
      return false;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!Digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!Digits()) return false;
    }
    return true;
  }

  const char* p_;
  const char* end_;
  LayerPacket& out_;
  std::string& scratch_;
  int depth_ = 0;
};

}  // namespace

bool ScanLayerPacket(std::string_view text, LayerPacket& out, std::string& scratch) {
  out.type = out.request_id = out.operation = out.object_type = out.object_id = {};
  out.data_id = out.error_message = out.sender_user_id = out.first_part_body = {};
  out.success = -1;
  out.patches.clear();
  scratch.clear();
  if (scratch.capacity() < text.size()) scratch.reserve(text.size());
  Scanner scanner(text, out, scratch);
  return scanner.Run();
}

MessageIds::MessageIds() : slots_(1 << 16) {}

std::string_view MessageIds::Store(std::string_view id) {
  if (kChunk - chunk_used_ < id.size()) {
    chunks_.push_back(std::make_unique<char[]>(std::max(kChunk, id.size())));
    chunk_used_ = 0;
  }
  char* at = chunks_.back().get() + chunk_used_;
  std::memcpy(at, id.data(), id.size());
  chunk_used_ += id.size();
  return {at, id.size()};
}

void MessageIds::Remember(uint64_t seq, std::string_view id) {
  if (id.empty()) return;
  const uint64_t page = seq >> kPageBits;
  if (page >= (uint64_t{1} << 24)) return;  // no scenario sends 2^40 messages
  if (pages_.size() <= page) pages_.resize(page + 1);
  auto& entries = pages_[page];
  if (!entries) entries = std::make_unique<std::string_view[]>(size_t{1} << kPageBits);
  std::string_view& entry = entries[seq & ((1u << kPageBits) - 1)];
  if (!entry.empty()) return;
  entry = Store(id);
  unindexed_.push_back(seq);  // SeqOf indexes it when first asked
  count_++;
}

void MessageIds::IndexPending() const {
  for (uint64_t seq : unindexed_) {
    if ((indexed_ + 1) * 2 > slots_.size()) Grow();
    Insert(std::hash<std::string_view>()(IdOf(seq)), seq);
    indexed_++;
  }
  unindexed_.clear();
}

std::string_view MessageIds::IdOf(uint64_t seq) const {
  const uint64_t page = seq >> kPageBits;
  if (page >= pages_.size() || !pages_[page]) return {};
  return pages_[page][seq & ((1u << kPageBits) - 1)];
}

bool MessageIds::SeqOf(std::string_view id, uint64_t& seq) const {
  if (id.empty()) return false;
  if (!unindexed_.empty()) IndexPending();
  const uint64_t hash = std::hash<std::string_view>()(id);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.seq_plus_one == 0) return false;
    if (slot.hash == hash && IdOf(slot.seq_plus_one - 1) == id) {
      seq = slot.seq_plus_one - 1;
      return true;
    }
  }
}

void MessageIds::Insert(uint64_t hash, uint64_t seq) const {
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].seq_plus_one != 0) i = (i + 1) & mask;
  slots_[i] = {hash, seq + 1};
}

void MessageIds::Grow() const {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  for (const Slot& slot : old) {
    if (slot.seq_plus_one != 0) Insert(slot.hash, slot.seq_plus_one - 1);
  }
}

}  // namespace relayer::bench
