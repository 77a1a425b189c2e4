#include "store/postgres/sql.h"

namespace relayer::pg {

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::vector<std::string> ParseTextArray(const std::string& text) {
  std::vector<std::string> out;
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return out;
  size_t i = 1;
  const size_t end = text.size() - 1;
  while (i < end) {
    std::string item;
    if (text[i] == '"') {
      for (++i; i < end && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < end) ++i;
        item += text[i];
      }
      ++i;  // closing quote
    } else {
      for (; i < end && text[i] != ','; ++i) item += text[i];
    }
    out.push_back(std::move(item));
    if (i < end && text[i] == ',') ++i;
  }
  return out;
}

}  // namespace relayer::pg
