#include "server/app/dev_app.h"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/auth/crypto.h"

namespace relayer::server {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

Result<std::string> ReadFile(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return Status(ErrorCode::kNotFound, "cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status WriteFile(const fs::path& p, const std::string& text, fs::perms perms) {
  std::ofstream out(p, std::ios::trunc);
  if (!out) return Status(ErrorCode::kServiceUnavailable, "cannot write " + p.string());
  out << text;
  out.close();
  std::error_code ec;
  fs::permissions(p, perms, ec);
  return Status::Ok();
}

}  // namespace

Result<DevApp> LoadDevApp(const std::string& data_dir) {
  fs::path dir = fs::path(data_dir) / "dev";
  auto app_json = ReadFile(dir / "app.json");
  if (!app_json.ok()) {
    return Status(ErrorCode::kNotFound, "no development app in '" + data_dir +
                                            "': start `relayer serve --dev --data " + data_dir +
                                            "` once first");
  }
  auto priv = ReadFile(dir / "dev-key.pem");
  auto pub = ReadFile(dir / "dev-key.pub.pem");
  if (!priv.ok() || !pub.ok())
    return Status(ErrorCode::kNotFound, "dev key missing in " + dir.string());
  boost::system::error_code ec;
  auto v = json::parse(*app_json, ec);
  if (ec || !v.is_object())
    return Status(ErrorCode::kInvalidRequest, "corrupt " + (dir / "app.json").string());
  auto& o = v.as_object();
  auto get = [&o](const char* k) -> std::string {
    auto* p = o.if_contains(k);
    return p && p->is_string() ? std::string(p->as_string()) : std::string();
  };
  DevApp dev;
  dev.folder = dir.string();
  auto id = ParseAppId(get("app_id"));
  if (!id)
    return Status(ErrorCode::kInvalidRequest, "corrupt app_id in " + (dir / "app.json").string());
  dev.app.id = *id;
  dev.app.provider_id = get("provider_id");
  dev.app.platform_tokens = {get("platform_token")};
  dev.app.dev_private_pem = *priv;
  if (auto s = dev.app.keys->add(dev.app.dev_kid, *pub); !s.ok()) return s;
  return dev;
}

Result<DevApp> LoadOrCreateDevApp(const std::string& data_dir) {
  fs::path dir = fs::path(data_dir) / "dev";
  if (fs::exists(dir / "app.json")) return LoadDevApp(data_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return Status(ErrorCode::kServiceUnavailable,
                  "cannot create " + dir.string() + ": " + ec.message());
  auto keys = GenerateRsaKeyPair(2048);
  if (!keys.ok()) return keys.status();
  json::object o;
  o["app_id"] = "layer:///apps/staging/" + RandomUuid();
  o["provider_id"] = "layer:///providers/" + RandomUuid();
  o["platform_token"] = RandomToken(32);
  o["kid"] = "dev";
  const auto owner_only = fs::perms::owner_read | fs::perms::owner_write;
  for (auto s : {WriteFile(dir / "dev-key.pem", keys->private_pem, owner_only),
                 WriteFile(dir / "dev-key.pub.pem", keys->public_pem,
                           owner_only | fs::perms::group_read | fs::perms::others_read),
                 WriteFile(dir / "app.json", json::serialize(o) + "\n", owner_only)}) {
    if (!s.ok()) return s;
  }
  auto dev = LoadDevApp(data_dir);
  if (dev.ok()) dev->created = true;
  return dev;
}

}  // namespace relayer::server
