// `relayer send` and `relayer tail` against a real `relayer serve --dev` on loopback.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "cli/cli_process.h"

namespace relayer::cli_test {
namespace {

namespace json = boost::json;

// The JSON lines of `out` for which `match` holds.
std::vector<json::object> Lines(const std::string& out,
                                const std::function<bool(const json::object&)>& match) {
  std::vector<json::object> found;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (!ec && v.is_object() && match(v.as_object())) found.push_back(v.as_object());
  }
  return found;
}

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Starts `relayer tail` and waits until it is connected.
std::unique_ptr<Child> StartTail(const DevServer& server, const std::string& user,
                                 const std::vector<std::string>& extra, const TempDir& dir) {
  auto tail = std::make_unique<Child>(
      With(With({"tail", "--as", user, "--json"}, extra), server.Flags()), dir.path());
  EXPECT_TRUE(Eventually([&] { return tail->err().find("tailing as") != std::string::npos; }))
      << tail->err();
  return tail;
}

TEST(CliSendTail, TailJsonSeesTheSentMessageAndItsReceipts) {
  DevServer server;
  TempDir dir;
  auto alice_tail = StartTail(server, "alice", {}, dir);
  auto bob_tail = StartTail(server, "bob", {"--mark-read"}, dir);

  Outcome send =
      RunRelayer(With({"send", "--as", "alice", "--to", "bob", "hello from send"}, server.Flags()));
  ASSERT_EQ(send.code, 0) << send.err;
  std::string message_id = send.out.substr(0, send.out.find(' '));
  ASSERT_EQ(message_id.rfind("layer:///messages/", 0), 0u) << send.out;

  auto is_message = [&](const json::object& o) {
    return o.at("type") == "message" && o.at("id") == message_id.c_str();
  };
  ASSERT_TRUE(Eventually([&] { return !Lines(bob_tail->out(), is_message).empty(); }))
      << bob_tail->out() << bob_tail->err();
  auto received = Lines(bob_tail->out(), is_message)[0];
  EXPECT_EQ(received.at("sender"), "alice");
  EXPECT_EQ(received.at("parts").as_array()[0].as_object().at("body"), "hello from send");
  EXPECT_EQ(received.at("parts").as_array()[0].as_object().at("mime_type"), "text/plain");

  // Alice's other device sees her message, then bob's client delivers it and bob's tail reads it.
  auto receipt = [&](const char* status) {
    return [&, status](const json::object& o) {
      return o.at("type") == "receipt" && o.at("message") == message_id.c_str() &&
             o.at("user") == "bob" && o.at("status") == status;
    };
  };
  EXPECT_TRUE(Eventually([&] { return !Lines(alice_tail->out(), is_message).empty(); }))
      << alice_tail->out();
  EXPECT_TRUE(Eventually([&] { return !Lines(alice_tail->out(), receipt("read")).empty(); }))
      << alice_tail->out() << alice_tail->err();

  // tail ends cleanly on SIGTERM and SIGINT.
  alice_tail->Signal(SIGTERM);
  EXPECT_EQ(alice_tail->Wait(), 0);
  bob_tail->Signal(SIGINT);
  EXPECT_EQ(bob_tail->Wait(), 0);
}

TEST(CliSendTail, SendReusesTheDistinctConversation) {
  DevServer server;
  Outcome first =
      RunRelayer(With({"send", "--as", "alice", "--to", "bob,carol", "one"}, server.Flags()));
  Outcome second =
      RunRelayer(With({"send", "--as", "carol", "--to", "alice,bob", "two"}, server.Flags()));
  ASSERT_EQ(first.code, 0) << first.err;
  ASSERT_EQ(second.code, 0) << second.err;
  auto conversation = [](const std::string& out) { return out.substr(out.find(' ') + 1); };
  EXPECT_EQ(conversation(first.out), conversation(second.out));
  // And --conversation sends to it by id.
  std::string id = conversation(first.out);
  id.erase(id.find_last_not_of("\n") + 1);
  Outcome third =
      RunRelayer(With({"send", "--as", "bob", "--conversation", id, "three"}, server.Flags()));
  ASSERT_EQ(third.code, 0) << third.err;
  EXPECT_EQ(conversation(third.out), conversation(first.out));
}

TEST(CliSendTail, FileOver2KBTravelsAsRichContentAndComesBackWhole) {
  DevServer server;
  TempDir dir;
  std::string body;
  for (int i = 0; body.size() < 5000; ++i) body += "line " + std::to_string(i) + " of the file\n";
  std::string path = dir.path() + "/notes.txt";
  std::ofstream(path, std::ios::binary) << body;
  auto bob_tail = StartTail(server, "bob", {"--fetch"}, dir);

  Outcome send = RunRelayer(With({"send", "--as", "alice", "--to", "bob", "--file", path, "--mime",
                                  "text/x-notes", "see the file"},
                                 server.Flags()));
  ASSERT_EQ(send.code, 0) << send.err;
  auto is_message = [](const json::object& o) { return o.at("type") == "message"; };
  ASSERT_TRUE(Eventually([&] { return !Lines(bob_tail->out(), is_message).empty(); }))
      << bob_tail->out() << bob_tail->err();
  auto parts = Lines(bob_tail->out(), is_message)[0].at("parts").as_array();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].as_object().at("body"), "see the file");
  const auto& file = parts[1].as_object();
  EXPECT_EQ(file.at("mime_type"), "text/x-notes");
  ASSERT_TRUE(file.contains("content")) << json::serialize(file);  // rich content, not inline
  EXPECT_EQ(file.at("content").as_object().at("size").to_number<int64_t>(),
            static_cast<int64_t>(body.size()));
  EXPECT_EQ(file.at("body").as_string(), body);
}

TEST(CliSendTail, SmallFileWithCustomMimeTypeTravelsInline) {
  DevServer server;
  TempDir dir;
  std::string path = dir.path() + "/blob.bin";
  std::ofstream(path, std::ios::binary) << std::string("\x01\x02\x03\xff", 4);
  auto bob_tail = StartTail(server, "bob", {}, dir);
  Outcome send = RunRelayer(
      With({"send", "--as", "alice", "--to", "bob", "--file", path, "--mime", "application/x-blob"},
           server.Flags()));
  ASSERT_EQ(send.code, 0) << send.err;
  auto is_message = [](const json::object& o) { return o.at("type") == "message"; };
  ASSERT_TRUE(Eventually([&] { return !Lines(bob_tail->out(), is_message).empty(); }));
  auto part = Lines(bob_tail->out(), is_message)[0].at("parts").as_array()[0].as_object();
  EXPECT_EQ(part.at("mime_type"), "application/x-blob");
  EXPECT_FALSE(part.contains("content"));
  EXPECT_EQ(part.at("body_base64"), "AQID/w==");
}

}  // namespace
}  // namespace relayer::cli_test
