#include "server/ws/packets.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace relayer::server {
namespace {

namespace json = boost::json;

TEST(ChangeBody, SplicesTheDataTextIntoTheChange) {
  Change c;
  c.op = ChangeOp::kUpdate;
  c.type = ObjectType::kMessage;
  c.object_id = "0193a1c2-0000-7000-8000-000000000001";
  const std::string patch =
      R"([{"operation":"set","property":"recipient_status.x","value":"read"}])";
  json::value body = json::parse(ChangeBody(c, patch, "http://h:1"));
  EXPECT_EQ(body.at("operation"), "update");
  EXPECT_EQ(body.at("object").at("type"), "Message");
  EXPECT_EQ(body.at("object").at("id").as_string(), "layer:///messages/" + c.object_id);
  EXPECT_EQ(body.at("object").at("url").as_string(), "http://h:1/messages/" + c.object_id);
  EXPECT_EQ(body.at("data"), json::parse(patch));
}

TEST(ChangeBody, EscapesIdsThatAreNotPlainText) {
  Change c;
  c.op = ChangeOp::kDelete;
  c.type = ObjectType::kIdentity;
  c.object_id = "we\"ird\\id\n";
  json::value body = json::parse(ChangeBody(c, "null", "http://h:1"));
  EXPECT_EQ(body.at("object").at("id").as_string(),
            ObjectIdUrl(ObjectType::kIdentity, c.object_id));
  EXPECT_TRUE(body.at("data").is_null());
}

TEST(ChangeData, EmptyIsNullAndStoredTextIsCheckedToBeJson) {
  Change c;
  c.op = ChangeOp::kDelete;
  EXPECT_EQ(ChangeDataJson(c), "null");
  EXPECT_TRUE(ChangeDataIsJson(c));
  c.data_json = R"({"mode":"my_devices"})";
  EXPECT_EQ(ChangeDataJson(c), c.data_json);
  EXPECT_TRUE(ChangeDataIsJson(c));
  for (const char* bad : {"{", "[1,", "mode", R"({"a":1}})"}) {
    c.data_json = bad;
    EXPECT_FALSE(ChangeDataIsJson(c)) << bad;
  }
  c.op = ChangeOp::kCreate;  // a create's data is the object, rendered by the server
  EXPECT_TRUE(ChangeDataIsJson(c));
}

}  // namespace
}  // namespace relayer::server
