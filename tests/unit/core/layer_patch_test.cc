#include "core/layer_patch.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace relayer {
namespace {

namespace json = boost::json;

std::vector<PatchOp> MustParse(std::string_view text) {
  auto ops = ParsePatch(json::parse(text));
  EXPECT_TRUE(ops.ok()) << ops.status().message();
  return ops.ok() ? ops.value() : std::vector<PatchOp>{};
}

Status ApplyText(std::string_view patch, json::object& metadata) {
  return ApplyMetadataOps(MustParse(patch), metadata);
}

std::vector<std::string> Strs(const std::vector<UserId>& ids) {
  std::vector<std::string> out;
  for (const auto& id : ids) out.push_back(id.str());
  return out;
}

using Segs = std::vector<std::string>;

TEST(LayerPatch, SplitsOnDots) {
  auto p = SplitPatchPath("metadata.a.b");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (Segs{"metadata", "a", "b"}));
}

TEST(LayerPatch, EscapedDotStaysInOneSegment) {
  auto p = SplitPatchPath(R"(recipient_status.layer:///identities/a\.b)");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (Segs{"recipient_status", "layer:///identities/a.b"}));
}

TEST(LayerPatch, BackslashNotBeforeDotIsLiteral) {
  auto p = SplitPatchPath(R"(a\b.c)");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (Segs{R"(a\b)", "c"}));
}

TEST(LayerPatch, EmptySegmentsAreRejected) {
  for (std::string_view bad : {"", ".", "a..b", ".a", "a."}) {
    auto p = SplitPatchPath(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), ErrorCode::kInvalidProperty);
  }
}

TEST(LayerPatch, JoinEscapesAndRoundTrips) {
  Segs segs{"metadata", "a.b", "c"};
  EXPECT_EQ(JoinPatchPath(segs), R"(metadata.a\.b.c)");
  EXPECT_EQ(*SplitPatchPath(JoinPatchPath(segs)), segs);
  EXPECT_EQ(EscapePatchSegment("layer:///identities/a.b"), R"(layer:///identities/a\.b)");
}

TEST(LayerPatch, ParsesAllFieldsOfAnOperation) {
  auto ops =
      MustParse(R"([{"operation":"add","property":"participants","id":"layer:///identities/bob"},
                           {"operation":"set","property":"metadata.a","value":"1"},
                           {"operation":"delete","property":"metadata.b"}])");
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].kind, PatchOpKind::kAdd);
  EXPECT_TRUE(ops[0].has_id);
  EXPECT_FALSE(ops[0].has_value);
  EXPECT_EQ(ops[0].id, "layer:///identities/bob");
  EXPECT_EQ(ops[1].kind, PatchOpKind::kSet);
  EXPECT_TRUE(ops[1].has_value);
  EXPECT_EQ(ops[1].value, json::value("1"));
  EXPECT_EQ(ops[1].path, (Segs{"metadata", "a"}));
  EXPECT_EQ(ops[2].kind, PatchOpKind::kDelete);
}

TEST(LayerPatch, NonArrayBodyIsRejected) {
  auto ops = ParsePatch(json::parse(R"({"operation":"set"})"));
  ASSERT_FALSE(ops.ok());
  EXPECT_EQ(ops.status().code(), ErrorCode::kInvalidRequest);
  EXPECT_NE(ops.status().message().find("array"), std::string::npos);
}

TEST(LayerPatch, NonObjectOperationIsRejected) {
  EXPECT_FALSE(ParsePatch(json::parse(R"(["set"])")).ok());
}

TEST(LayerPatch, UnknownOperationNamesIt) {
  auto ops = ParsePatch(json::parse(R"([{"operation":"replace","property":"metadata"}])"));
  ASSERT_FALSE(ops.ok());
  EXPECT_EQ(ops.status().code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(ops.status().property(), "operation");
  EXPECT_NE(ops.status().message().find("'replace'"), std::string::npos);
}

TEST(LayerPatch, MissingOperationIsMissingProperty) {
  auto ops = ParsePatch(json::parse(R"([{"property":"metadata","value":{}}])"));
  ASSERT_FALSE(ops.ok());
  EXPECT_EQ(ops.status().code(), ErrorCode::kMissingProperty);
  EXPECT_EQ(ops.status().property(), "operation");
}

TEST(LayerPatch, MissingOrEmptyPropertyIsMissingProperty) {
  for (std::string_view doc :
       {R"([{"operation":"delete"}])", R"([{"operation":"delete","property":""}])"}) {
    auto ops = ParsePatch(json::parse(doc));
    ASSERT_FALSE(ops.ok()) << doc;
    EXPECT_EQ(ops.status().code(), ErrorCode::kMissingProperty);
    EXPECT_EQ(ops.status().property(), "property");
  }
}

TEST(LayerPatch, NonStringPropertyIsInvalid) {
  auto ops = ParsePatch(json::parse(R"([{"operation":"delete","property":7}])"));
  ASSERT_FALSE(ops.ok());
  EXPECT_EQ(ops.status().code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(ops.status().property(), "property");
}

TEST(LayerPatch, SetWithoutValueIsMissingValue) {
  auto ops = ParsePatch(json::parse(R"([{"operation":"set","property":"metadata.a"}])"));
  ASSERT_FALSE(ops.ok());
  EXPECT_EQ(ops.status().code(), ErrorCode::kMissingProperty);
  EXPECT_EQ(ops.status().property(), "value");
}

TEST(LayerPatch, AddWithoutIdOrValueIsRejected) {
  EXPECT_FALSE(ParsePatch(json::parse(R"([{"operation":"add","property":"participants"}])")).ok());
}

TEST(LayerPatch, NonStringIdIsRejected) {
  auto ops = ParsePatch(json::parse(R"([{"operation":"add","property":"participants","id":3}])"));
  ASSERT_FALSE(ops.ok());
  EXPECT_EQ(ops.status().property(), "id");
}

TEST(LayerPatch, EmptyPatchIsValidAndDoesNothing) {
  auto patch = ToConversationPatch(MustParse("[]"));
  ASSERT_TRUE(patch.ok());
  EXPECT_TRUE(patch->add_participants.empty());
  EXPECT_FALSE(patch->set_participants);
  EXPECT_TRUE(patch->metadata_ops.empty());
}

TEST(ConversationPatch, AddAndRemoveParticipantsByIdOrValue) {
  auto patch = ToConversationPatch(MustParse(R"([
      {"operation":"add","property":"participants","id":"layer:///identities/bob%40x.com"},
      {"operation":"add","property":"participants","value":"carol"},
      {"operation":"remove","property":"participants","value":"layer:///identities/dave"}])"));
  ASSERT_TRUE(patch.ok()) << patch.status().message();
  EXPECT_EQ(Strs(patch->add_participants), (Segs{"bob@x.com", "carol"}));
  EXPECT_EQ(Strs(patch->remove_participants), (Segs{"dave"}));
  EXPECT_FALSE(patch->set_participants);
}

TEST(ConversationPatch, LaterOperationOnSameUserWins) {
  auto patch = ToConversationPatch(MustParse(R"([
      {"operation":"add","property":"participants","id":"bob"},
      {"operation":"remove","property":"participants","id":"bob"},
      {"operation":"remove","property":"participants","id":"eve"},
      {"operation":"add","property":"participants","id":"eve"}])"));
  ASSERT_TRUE(patch.ok());
  EXPECT_EQ(Strs(patch->add_participants), (Segs{"eve"}));
  EXPECT_EQ(Strs(patch->remove_participants), (Segs{"bob"}));
}

TEST(ConversationPatch, SetParticipantsTakesAnArrayAndAbsorbsLaterOps) {
  auto patch = ToConversationPatch(MustParse(R"([
      {"operation":"add","property":"participants","id":"zed"},
      {"operation":"set","property":"participants","value":["a","layer:///identities/b","a"]},
      {"operation":"add","property":"participants","id":"c"},
      {"operation":"remove","property":"participants","id":"a"}])"));
  ASSERT_TRUE(patch.ok()) << patch.status().message();
  ASSERT_TRUE(patch->set_participants);
  EXPECT_EQ(Strs(*patch->set_participants), (Segs{"b", "c"}));
  EXPECT_TRUE(patch->add_participants.empty());
  EXPECT_TRUE(patch->remove_participants.empty());
}

TEST(ConversationPatch, SetParticipantsToNonArrayIsInvalid) {
  auto patch = ToConversationPatch(
      MustParse(R"([{"operation":"set","property":"participants","value":"bob"}])"));
  ASSERT_FALSE(patch.ok());
  EXPECT_EQ(patch.status().code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(patch.status().property(), "participants");
}

TEST(ConversationPatch, BadIdentityIdIsInvalid) {
  for (std::string_view doc :
       {R"([{"operation":"add","property":"participants","id":""}])",
        R"([{"operation":"add","property":"participants","id":"layer:///identities/%zz"}])",
        R"([{"operation":"add","property":"participants","value":5}])",
        R"([{"operation":"delete","property":"participants"}])"}) {
    auto patch = ToConversationPatch(MustParse(doc));
    ASSERT_FALSE(patch.ok()) << doc;
    EXPECT_EQ(patch.status().property(), "participants") << doc;
  }
}

TEST(ConversationPatch, OtherPropertiesAreRejectedByName) {
  for (std::string_view prop : {"distinct", "foo", "participants.x", "created_at"}) {
    std::string doc =
        R"([{"operation":"set","property":")" + std::string(prop) + R"(","value":false}])";
    auto patch = ToConversationPatch(MustParse(doc));
    ASSERT_FALSE(patch.ok()) << prop;
    EXPECT_EQ(patch.status().code(), ErrorCode::kInvalidProperty);
    EXPECT_EQ(patch.status().property(), prop);
    EXPECT_NE(patch.status().message().find(std::string(prop)), std::string::npos);
  }
}

TEST(ConversationPatch, MetadataOpsAreCollectedInOrder) {
  auto patch = ToConversationPatch(MustParse(R"([
      {"operation":"set","property":"metadata.a","value":"1"},
      {"operation":"delete","property":"metadata.b"},
      {"operation":"set","property":"metadata","value":{"x":"y"}}])"));
  ASSERT_TRUE(patch.ok());
  ASSERT_EQ(patch->metadata_ops.size(), 3u);
  EXPECT_EQ(patch->metadata_ops[1].kind, PatchOpKind::kDelete);
}

TEST(ConversationPatch, MetadataAddIsRejected) {
  auto patch = ToConversationPatch(
      MustParse(R"([{"operation":"add","property":"metadata.a","value":"1"}])"));
  EXPECT_FALSE(patch.ok());
}

TEST(ConversationPatch, BadMetadataValueIsRejectedBeforeApplying) {
  auto patch =
      ToConversationPatch(MustParse(R"([{"operation":"set","property":"metadata.a","value":42}])"));
  ASSERT_FALSE(patch.ok());
  EXPECT_EQ(patch.status().property(), "metadata.a");
}

TEST(MetadataPatch, SetWholeObjectReplacesIt) {
  json::object md = json::parse(R"({"old":"1"})").as_object();
  ASSERT_TRUE(
      ApplyText(R"([{"operation":"set","property":"metadata","value":{"a":{"b":"c"}}}])", md).ok());
  EXPECT_EQ(json::value(md), json::parse(R"({"a":{"b":"c"}})"));
}

TEST(MetadataPatch, SetWholeToNonObjectIsRejected) {
  json::object md;
  Status s = ApplyText(R"([{"operation":"set","property":"metadata","value":"x"}])", md);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidProperty);
}

TEST(MetadataPatch, SetNestedCreatesIntermediateObjects) {
  json::object md = json::parse(R"({"keep":"1"})").as_object();
  ASSERT_TRUE(
      ApplyText(R"([{"operation":"set","property":"metadata.a.b.c","value":"42"}])", md).ok());
  EXPECT_EQ(json::value(md), json::parse(R"({"keep":"1","a":{"b":{"c":"42"}}})"));
}

TEST(MetadataPatch, SetThroughAStringIsRejected) {
  json::object md = json::parse(R"({"a":"leaf"})").as_object();
  Status s = ApplyText(R"([{"operation":"set","property":"metadata.a.b","value":"1"}])", md);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(s.property(), "metadata.a.b");
  EXPECT_NE(s.message().find("string"), std::string::npos);
  EXPECT_EQ(json::value(md), json::parse(R"({"a":"leaf"})"));
}

TEST(MetadataPatch, EscapedDotMakesOneKey) {
  json::object md;
  ASSERT_TRUE(
      ApplyText(R"([{"operation":"set","property":"metadata.a\\.b","value":"1"}])", md).ok());
  EXPECT_EQ(json::value(md), json::parse(R"({"a.b":"1"})"));
}

TEST(MetadataPatch, DeleteRemovesKeyAndMissingKeyIsFine) {
  json::object md = json::parse(R"({"a":{"b":"1","c":"2"},"s":"x"})").as_object();
  ASSERT_TRUE(ApplyText(R"([{"operation":"delete","property":"metadata.a.b"},
                            {"operation":"delete","property":"metadata.nope"},
                            {"operation":"delete","property":"metadata.nope.deeper"},
                            {"operation":"delete","property":"metadata.s.deeper"}])",
                        md)
                  .ok());
  EXPECT_EQ(json::value(md), json::parse(R"({"a":{"c":"2"},"s":"x"})"));
}

TEST(MetadataPatch, DeleteWholeMetadataEmptiesIt) {
  json::object md = json::parse(R"({"a":"1"})").as_object();
  ASSERT_TRUE(ApplyText(R"([{"operation":"delete","property":"metadata"}])", md).ok());
  EXPECT_TRUE(md.empty());
}

TEST(MetadataPatch, NonStringLeavesAreRejected) {
  for (std::string_view value : {"1", "true", "null", R"(["a"])", R"({"x":{"y":2}})"}) {
    json::object md;
    std::string doc =
        R"([{"operation":"set","property":"metadata.k","value":)" + std::string(value) + "}]";
    EXPECT_FALSE(ApplyText(doc, md).ok()) << value;
    EXPECT_TRUE(md.empty());
  }
}

TEST(MetadataPatch, FailureLeavesMetadataUnchanged) {
  json::object md = json::parse(R"({"a":"1"})").as_object();
  Status s = ApplyText(R"([{"operation":"set","property":"metadata.b","value":"2"},
                          {"operation":"delete","property":"metadata.a"},
                          {"operation":"set","property":"metadata.c","value":3}])",
                       md);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(json::value(md), json::parse(R"({"a":"1"})"));
}

TEST(MetadataPatch, OpsApplyInOrder) {
  json::object md;
  ASSERT_TRUE(ApplyText(R"([{"operation":"set","property":"metadata.a","value":"1"},
                            {"operation":"delete","property":"metadata.a"},
                            {"operation":"set","property":"metadata.b","value":{"c":"2"}},
                            {"operation":"set","property":"metadata.b.d","value":"3"}])",
                        md)
                  .ok());
  EXPECT_EQ(json::value(md), json::parse(R"({"b":{"c":"2","d":"3"}})"));
}

TEST(MetadataPatch, NonMetadataOpIsRejected) {
  json::object md;
  EXPECT_FALSE(ApplyText(R"([{"operation":"set","property":"distinct","value":"1"}])", md).ok());
}

TEST(Metadata, ValidateAcceptsNestedStrings) {
  EXPECT_TRUE(ValidateMetadata(json::parse(R"({"a":"1","b":{"c":"2","d":{}}})")).ok());
  EXPECT_TRUE(ValidateMetadata(json::object()).ok());
}

TEST(Metadata, ValidateNamesTheOffendingPath) {
  Status s = ValidateMetadata(json::parse(R"({"a":{"b.c":1}})"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.property(), R"(metadata.a.b\.c)");
  EXPECT_FALSE(ValidateMetadata(json::parse(R"("str")")).ok());
  EXPECT_FALSE(ValidateMetadata(json::parse(R"([])")).ok());
}

TEST(LayerPatch, PushedPatchesHaveLayerShape) {
  EXPECT_EQ(
      json::value(PatchSet(R"(recipient_status.a\.b)", "read")),
      json::parse(R"({"operation":"set","property":"recipient_status.a\\.b","value":"read"})"));
  EXPECT_EQ(json::value(PatchDelete("metadata.x")),
            json::parse(R"({"operation":"delete","property":"metadata.x"})"));
}

}  // namespace
}  // namespace relayer
