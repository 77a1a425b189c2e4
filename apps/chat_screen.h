// The terminal side of `relayer chat`: raw-mode keyboard input edited into a line, and a full
// redraw of the screen (header, the last messages, a status line, the input line at the bottom)
// on every change. Redrawing everything keeps it robust: receipt marks of earlier lines change
// in place without tracking cursor positions. Main thread only.
#pragma once

#include <termios.h>

#include <string>
#include <vector>

namespace relayer::apps {

struct ChatFrame {
  std::string header;
  std::vector<std::string> lines;  // oldest first; only the last ones that fit are drawn
  std::string status;              // e.g. "bob is typing…"
  std::string input;
};

class ChatScreen {
 public:
  // Switches the terminal to raw mode (no echo, byte-wise input; Ctrl-C still signals) when both
  // stdin and stdout are terminals; otherwise interactive() is false and nothing changes.
  ChatScreen();
  ~ChatScreen();  // restores the terminal and leaves the cursor below the chat
  ChatScreen(const ChatScreen&) = delete;
  ChatScreen& operator=(const ChatScreen&) = delete;

  bool interactive() const { return raw_; }
  void Draw(const ChatFrame& frame);

 private:
  bool raw_ = false;
  termios saved_{};
};

// Turns keyboard bytes into an edited line (UTF-8 aware backspace, Ctrl-U, escape sequences
// ignored).
class LineEditor {
 public:
  enum class Key { kNone, kEdited, kSubmit, kQuit };
  Key Feed(char c);
  const std::string& text() const { return text_; }
  // The submitted line (and clears the editor).
  std::string Take();

 private:
  std::string text_;
  int escape_ = 0;  // 0 none, 1 after ESC, 2 inside a CSI sequence
};

// Splits `line` into pieces of at most `width` code points (a simple wrap for the screen).
std::vector<std::string> WrapLine(const std::string& line, int width);

}  // namespace relayer::apps
