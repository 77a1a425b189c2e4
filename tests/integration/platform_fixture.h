// Fixture for Platform API tests: the test server, its app's bearer token, and calls under
// /apps/APP_UUID with the headers layer-api@2.3.3 sends (Accept version=1.0, Bearer token).
#pragma once

#include "integration/test_server.h"

namespace relayer::it {

inline constexpr std::string_view kPlatformAccept = "application/vnd.layer+json; version=1.0";

class PlatformTest : public ApiTest {
 protected:
  // `path` is relative to /apps/APP_UUID (e.g. "/conversations").
  HttpResult P(std::string_view method, const std::string& path,
               std::optional<std::string> body = std::nullopt, Headers extra = {}) {
    Headers h{{"Accept", std::string(kPlatformAccept)},
              {"Authorization", "Bearer " + std::string(kPlatformToken)}};
    std::string type = method == "PATCH" ? std::string(kPatchType) : "application/json";
    h.emplace_back("Content-Type", type);
    for (auto& e : extra) h.push_back(std::move(e));
    return client().Send(method, "/apps/" + server().app_uuid() + path, h, std::move(body));
  }
  // POST /conversations as the app; returns the UUID ("" and a failure on error).
  std::string PlatformConversation(const std::vector<std::string>& participants,
                                   bool distinct = false) {
    json::array ps;
    for (const auto& p : participants) ps.emplace_back(p);
    json::object body{{"participants", ps}, {"distinct", distinct}};
    auto r = P("POST", "/conversations", json::serialize(body));
    EXPECT_EQ(r.status, 201) << Describe(r);
    return Uuid(r.Str("id"));
  }
};

}  // namespace relayer::it
