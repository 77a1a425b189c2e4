// `relayer chat` driven in tmux: two terminals, alice and bob, typing to each other; the
// sender's line shows ✓✓ when delivered, then "read" once the other's chat shows it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli/cli_process.h"

namespace relayer::cli_test {
namespace {

// A private tmux server (its own socket) holding one session per chat, 100x20 cells.
class Tmux {
 public:
  explicit Tmux(const std::string& dir) : socket_(dir + "/tmux.sock") {}
  ~Tmux() { Sh("kill-server"); }

  int Sh(const std::string& args) const {
    std::string cmd = "LANG=C.UTF-8 tmux -u -S '" + socket_ + "' " + args + " >/dev/null 2>&1";
    return std::system(cmd.c_str());
  }
  void Start(const std::string& name, const std::string& command) const {
    ASSERT_EQ(Sh("new-session -d -s " + name + " -x 100 -y 20 \"" + command + "\""), 0);
  }
  void Type(const std::string& name, const std::string& text) const {
    Sh("send-keys -t " + name + " -l '" + text + "'");
    Sh("send-keys -t " + name + " Enter");
  }
  std::string Screen(const std::string& name) const {
    std::string cmd = "LANG=C.UTF-8 tmux -u -S '" + socket_ + "' capture-pane -p -t " + name;
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
      pclose(p);
    }
    return out;
  }
  bool Shows(const std::string& name, const std::string& text) const {
    return Eventually([&] { return Screen(name).find(text) != std::string::npos; });
  }

 private:
  std::string socket_;
};

std::string ChatCommand(const DevServer& server, const std::string& user, const std::string& with) {
  return std::string(RELAYER_BIN) + " chat --as " + user + " --with " + with + " --server " +
         server.url() + " --data " + server.data();
}

TEST(CliChatTmux, TwoChatsSeeEachOtherAndReceiptsGoFromDeliveredToRead) {
  if (std::system("tmux -V >/dev/null 2>&1") != 0) GTEST_SKIP() << "tmux is not installed";
  DevServer server;
  TempDir dir;
  Tmux tmux(dir.path());

  // Bob is online but not looking (tail delivers without reading): alice sees ✓✓.
  Child bob_tail({"tail", "--as", "bob", "--server", server.url(), "--data", server.data()},
                 dir.path());
  ASSERT_TRUE(Eventually([&] { return bob_tail.err().find("tailing as") != std::string::npos; }));
  tmux.Start("alice", ChatCommand(server, "alice", "bob"));
  ASSERT_TRUE(tmux.Shows("alice", "[connected]")) << tmux.Screen("alice");
  tmux.Type("alice", "hello bob");
  EXPECT_TRUE(tmux.Shows("alice", "alice: hello bob  ✓✓")) << tmux.Screen("alice");
  EXPECT_TRUE(
      Eventually([&] { return bob_tail.out().find("alice: hello bob") != std::string::npos; }));

  // Bob opens the chat: the history shows alice's message, which his chat marks read.
  tmux.Start("bob", ChatCommand(server, "bob", "alice"));
  EXPECT_TRUE(tmux.Shows("bob", "alice: hello bob")) << tmux.Screen("bob");
  EXPECT_TRUE(tmux.Shows("alice", "alice: hello bob  read")) << tmux.Screen("alice");

  // Both chats open: bob's reply appears at alice's, and is read at once.
  tmux.Type("bob", "hi alice, how are you?");
  EXPECT_TRUE(tmux.Shows("alice", "bob: hi alice, how are you?")) << tmux.Screen("alice");
  EXPECT_TRUE(tmux.Shows("bob", "bob: hi alice, how are you?  read")) << tmux.Screen("bob");

  // Typing indicator: alice types without sending.
  tmux.Sh("send-keys -t alice -l 'fine'");
  EXPECT_TRUE(tmux.Shows("bob", "alice is typing")) << tmux.Screen("bob");
  tmux.Sh("send-keys -t alice Enter");
  EXPECT_TRUE(tmux.Shows("bob", "alice: fine")) << tmux.Screen("bob");

  // Ctrl-C ends the chat and the session's shell command with it.
  tmux.Sh("send-keys -t bob C-c");
  EXPECT_TRUE(Eventually([&] { return tmux.Sh("has-session -t bob") != 0; }));
}

// Without a terminal, chat sends each input line and prints messages as lines.
TEST(CliChat, PipedInputIsSentLineByLine) {
  DevServer server;
  TempDir dir;
  Child bob_tail({"tail", "--as", "bob", "--server", server.url(), "--data", server.data()},
                 dir.path());
  ASSERT_TRUE(Eventually([&] { return bob_tail.err().find("tailing as") != std::string::npos; }));
  std::string out = dir.path() + "/chat.out";
  std::string cmd = "printf 'first line\\nsecond line\\n' | " +
                    ChatCommand(server, "alice", "bob") + " > '" + out + "' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << ReadFile(out);
  EXPECT_NE(ReadFile(out).find("alice: first line"), std::string::npos) << ReadFile(out);
  EXPECT_TRUE(Eventually([&] {
    std::string seen = bob_tail.out();
    return seen.find("alice: first line") != std::string::npos &&
           seen.find("alice: second line") != std::string::npos;
  })) << bob_tail.out();
}

}  // namespace
}  // namespace relayer::cli_test
