#include "xmpp_text.h"

namespace relayer::bench {

void AppendEscaped(std::string& out, std::string_view text) {
  size_t plain = 0;  // start of the run not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    const char* entity = nullptr;
    switch (text[i]) {
      case '&':
        entity = "&amp;";
        break;
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '\'':
        entity = "&apos;";
        break;
      case '"':
        entity = "&quot;";
        break;
      default:
        continue;
    }
    out.append(text.substr(plain, i - plain));
    out.append(entity);
    plain = i + 1;
  }
  out.append(text.substr(plain));
}

void AppendUint(std::string& out, uint64_t v) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out.push_back(digits[--n]);
}

void AppendBase64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 |
                       static_cast<uint8_t>(bytes[i + 1]) << 8 | static_cast<uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 0) return;
  uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
  if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
  out.push_back(kAlphabet[(v >> 18) & 63]);
  out.push_back(kAlphabet[(v >> 12) & 63]);
  out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
  out.push_back('=');
}

uint64_t ParseUint(std::string_view s) {
  if (s.empty() || s.size() > 19) return kNotANumber;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return kNotANumber;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

uint64_t SeqFromBody(std::string_view body) {
  if (body.substr(0, 4) != "seq=") return kNotANumber;
  body.remove_prefix(4);
  size_t n = 0;
  while (n < body.size() && body[n] >= '0' && body[n] <= '9') ++n;
  return ParseUint(body.substr(0, n));
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLowerChar(c);
  return out;
}

std::string DescribeError(const XmlStanza& st, size_t e) {
  if (e == XmlStanza::kNone) return "no error details";
  std::string condition, text;
  for (size_t c = e + 1; c < st.size(); ++c) {
    if (st.Parent(c) != e) continue;
    if (st.Name(c) == "text") {
      text = st.Text(c);
    } else if (condition.empty()) {
      condition = st.Name(c);
    }
  }
  if (condition.empty()) condition = "unspecified";
  return text.empty() ? condition : condition + ": " + text;
}

}  // namespace relayer::bench
