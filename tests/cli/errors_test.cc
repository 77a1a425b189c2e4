// The client commands' one-line errors and exit codes (docs/cli.md): server down, no or bad
// credentials, a recipient or conversation the server refuses.
#include <gtest/gtest.h>

#include <algorithm>

#include "cli/cli_process.h"

namespace relayer::cli_test {
namespace {

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(CliErrors, ServerDownIsReportedAtOnceWithExitCode3) {
  DevServer server;
  auto flags = server.Flags();  // valid credentials, then nobody listens at the URL any more
  server.Stop();
  Outcome run = RunRelayer(With({"send", "--as", "alice", "--to", "bob", "hi"}, flags));
  EXPECT_EQ(run.code, 3) << run.err;
  EXPECT_NE(run.err.find("cannot reach the server at " + flags[1]), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("refused"), std::string::npos) << run.err;
  EXPECT_EQ(Lines(run.err), 1) << run.err;
}

TEST(CliErrors, RefusedIdentityTokenExitsWith4) {
  DevServer server;
  Outcome token = RunRelayer({"token", "--data", server.data(), "--user", "x", "--nonce", "n"});
  ASSERT_EQ(token.code, 0);
  // A token signed for another nonce: well-formed, but the server must refuse it.
  std::string stale = token.out.substr(0, token.out.find('\n'));
  Outcome run = RunRelayer(
      With({"send", "--as", "alice", "--to", "bob", "hi", "--token-command", "echo " + stale},
           server.Flags()));
  EXPECT_EQ(run.code, 4) << run.err;
  EXPECT_NE(run.err.find("cannot log in as alice"), std::string::npos) << run.err;
  EXPECT_EQ(Lines(run.err), 1) << run.err;
}

TEST(CliErrors, FailingTokenCommandExitsWith4) {
  DevServer server;
  Outcome run = RunRelayer({"send", "--as", "alice", "--to", "bob", "hi", "--server", server.url(),
                            "--app-id", "x", "--token-command", "false"});
  EXPECT_EQ(run.code, 4) << run.err;
  EXPECT_NE(run.err.find("--token-command failed"), std::string::npos) << run.err;
}

TEST(CliErrors, NoDevAppInTheDataFolderExitsWith4) {
  DevServer server;
  TempDir empty;
  Outcome run = RunRelayer({"send", "--as", "alice", "--to", "bob", "hi", "--server", server.url(),
                            "--data", empty.path()});
  EXPECT_EQ(run.code, 4) << run.err;
  EXPECT_NE(run.err.find("holds no dev app"), std::string::npos) << run.err;
}

TEST(CliErrors, InvalidRecipientIsRefusedWithExitCode5) {
  DevServer server;
  std::string too_long(300, 'u');  // over the server's 255-byte user id limit
  Outcome run = RunRelayer(With({"send", "--as", "alice", "--to", too_long, "hi"}, server.Flags()));
  EXPECT_EQ(run.code, 5) << run.err;
  EXPECT_NE(run.err.find("cannot open the conversation with"), std::string::npos) << run.err;
  EXPECT_EQ(Lines(run.err), 1) << run.err;
}

TEST(CliErrors, UnknownConversationIsRefusedWithExitCode5) {
  DevServer server;
  Outcome run =
      RunRelayer(With({"send", "--as", "alice", "--conversation",
                       "layer:///conversations/0a4ec5ba-2f3c-4a8e-9d36-5f3f8c1f0d11", "hi"},
                      server.Flags()));
  EXPECT_EQ(run.code, 5) << run.err;
  EXPECT_NE(run.err.find("cannot open the conversation layer:///"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace relayer::cli_test
