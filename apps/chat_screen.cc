#include "chat_screen.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace relayer::apps {

ChatScreen::ChatScreen() {
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) return;
  if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
  termios raw = saved_;
  raw.c_lflag &= ~(ICANON | ECHO | IEXTEN);
  raw.c_iflag &= ~(IXON | ICRNL);
  raw.c_cc[VMIN] = 0;
  raw.c_cc[VTIME] = 0;
  raw_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
}

ChatScreen::~ChatScreen() {
  if (!raw_) return;
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  static const char kBye[] = "\r\n";
  (void)!write(STDOUT_FILENO, kBye, sizeof kBye - 1);
}

namespace {

size_t CodePoints(const std::string& s) {
  return std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
}

}  // namespace

std::vector<std::string> WrapLine(const std::string& line, int width) {
  std::vector<std::string> out;
  if (width < 1) width = 1;
  std::string piece;
  int n = 0;
  for (char c : line) {
    bool starts = (c & 0xC0) != 0x80;
    if (starts && n == width) {
      out.push_back(std::move(piece));
      piece.clear();
      n = 0;
    }
    if (starts) ++n;
    piece += c;
  }
  out.push_back(std::move(piece));
  return out;
}

void ChatScreen::Draw(const ChatFrame& f) {
  winsize ws{};
  int rows = 24, cols = 80;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) {
    rows = ws.ws_row;
    cols = ws.ws_col;
  }
  int body_rows = std::max(1, rows - 3);
  std::vector<std::string> body;
  for (auto it = f.lines.rbegin(); it != f.lines.rend() && int(body.size()) < body_rows; ++it) {
    auto wrapped = WrapLine(*it, cols);
    for (auto w = wrapped.rbegin(); w != wrapped.rend() && int(body.size()) < body_rows; ++w)
      body.push_back(*w);
  }
  std::reverse(body.begin(), body.end());
  // One write per frame: home, each row cleared to its end, so nothing flickers or is left over.
  std::string out = "\x1b[H\x1b[7m" + WrapLine(f.header, cols)[0] + "\x1b[K\x1b[0m\r\n";
  for (int i = 0; i < body_rows; ++i) {
    int from = body_rows - int(body.size());  // messages sit just above the status line
    if (i >= from) out += body[i - from];
    out += "\x1b[K\r\n";
  }
  out += "\x1b[2m" + WrapLine(f.status, cols)[0] + "\x1b[0m\x1b[K\r\n";
  std::string input = "> " + f.input;
  size_t n = CodePoints(input);
  if (int(n) >= cols) input = WrapLine(input, cols - 1).back();  // the end stays visible
  out += input + "\x1b[K";
  (void)!write(STDOUT_FILENO, out.data(), out.size());
}

LineEditor::Key LineEditor::Feed(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (escape_ == 1) {
    escape_ = (c == '[' || c == 'O') ? 2 : 0;
    return Key::kNone;
  }
  if (escape_ == 2) {
    if (u >= 0x40 && u <= 0x7E) escape_ = 0;
    return Key::kNone;
  }
  switch (u) {
    case 0x1b:
      escape_ = 1;
      return Key::kNone;
    case '\r':
    case '\n':
      return Key::kSubmit;
    case 4:  // Ctrl-D
      return text_.empty() ? Key::kQuit : Key::kNone;
    case 21:  // Ctrl-U
      text_.clear();
      return Key::kEdited;
    case 127:
    case 8:
      while (!text_.empty()) {
        bool start = (text_.back() & 0xC0) != 0x80;
        text_.pop_back();
        if (start) break;
      }
      return Key::kEdited;
    default:
      if (u < 0x20) return Key::kNone;
      text_ += c;
      return Key::kEdited;
  }
}

std::string LineEditor::Take() { return std::exchange(text_, {}); }

}  // namespace relayer::apps
