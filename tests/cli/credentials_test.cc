// The client commands' other credential sources: an app key file, and a token command.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "cli/cli_process.h"

namespace relayer::cli_test {
namespace {

namespace json = boost::json;

std::string DevAppField(const DevServer& server, const char* field) {
  auto v = json::parse(ReadFile(server.data() + "/dev/app.json"));
  return std::string(v.as_object().at(field).as_string());
}

TEST(CliCredentials, KeyFileKeyIdAndProviderIdSignTheToken) {
  DevServer server;
  Outcome run = RunRelayer(
      {"send", "--as", "alice", "--to", "bob", "signed with a key file", "--server", server.url(),
       "--key-file", server.data() + "/dev/dev-key.pem", "--key-id", "dev", "--provider-id",
       DevAppField(server, "provider_id"), "--app-id", DevAppField(server, "app_id")});
  EXPECT_EQ(run.code, 0) << run.err;
  // The same key under a kid the server does not know is refused.
  Outcome wrong = RunRelayer({"send", "--as", "alice", "--to", "bob", "x", "--server", server.url(),
                              "--key-file", server.data() + "/dev/dev-key.pem", "--key-id", "other",
                              "--provider-id", DevAppField(server, "provider_id"), "--app-id",
                              DevAppField(server, "app_id")});
  EXPECT_EQ(wrong.code, 4) << wrong.err;
}

TEST(CliCredentials, TokenCommandGetsTheNonceAndUserId) {
  DevServer server;
  TempDir dir;
  // The command records its arguments and signs with `relayer token`, as an app backend would.
  std::string log = dir.path() + "/args";
  std::string command = "echo \"$1 $2\" > '" + log + "'; " + std::string(RELAYER_BIN) +
                        " token --data '" + server.data() +
                        "' --user \"$RELAYER_USER_ID\" --nonce \"$1\"";
  Outcome run = RunRelayer({"send", "--as", "carol", "--to", "bob", "via a token command",
                            "--server", server.url(), "--app-id", DevAppField(server, "app_id"),
                            "--token-command", command});
  EXPECT_EQ(run.code, 0) << run.err;
  std::string args = ReadFile(log);
  EXPECT_NE(args.find(" carol\n"), std::string::npos) << args;
  EXPECT_GT(args.size(), std::string(" carol\n").size()) << "no nonce: " << args;
}

// Without the server's data folder, an app id is enough: the --dev server signs the tokens.
TEST(CliCredentials, DevServerSignsTokensWhenOnlyTheAppIdIsGiven) {
  DevServer server;
  TempDir elsewhere;
  Outcome run = RunRelayer({"send", "--as", "alice", "--to", "bob", "signed by the server",
                            "--server", server.url(), "--data", elsewhere.path(), "--app-id",
                            DevAppField(server, "app_id")});
  EXPECT_EQ(run.code, 0) << run.err;
}

}  // namespace
}  // namespace relayer::cli_test
