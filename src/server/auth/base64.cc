// Base64 and base64url (RFC 4648), declared in crypto.h. Hand-written rather than OpenSSL's
// EVP_EncodeBlock, which knows neither the URL alphabet nor unpadded input.
#include <array>
#include <cstdint>

#include "server/auth/crypto.h"

namespace relayer::server {
namespace {

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Encode(std::string_view data, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(data[k])); };
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(n >> shift) & 63]);
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t n = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    if (rest == 2) out.push_back(alphabet[(n >> 6) & 63]);
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

std::optional<std::string> Decode(std::string_view text, std::string_view alphabet) {
  std::array<int, 256> value;
  value.fill(-1);
  for (size_t k = 0; k < alphabet.size(); ++k) value[static_cast<unsigned char>(alphabet[k])] = k;

  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  if (pad > 0 && text.size() % 4 != 0) return std::nullopt;
  text.remove_suffix(pad);
  if (text.size() % 4 == 1) return std::nullopt;

  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::string Base64UrlEncode(std::string_view data) { return Encode(data, kUrl, false); }
std::optional<std::string> Base64UrlDecode(std::string_view text) { return Decode(text, kUrl); }
std::string Base64Encode(std::string_view data) { return Encode(data, kStd, true); }
std::optional<std::string> Base64Decode(std::string_view text) { return Decode(text, kStd); }

}  // namespace relayer::server
