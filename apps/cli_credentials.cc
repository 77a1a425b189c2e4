#include "cli_credentials.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include "server/app/dev_app.h"
#include "server/auth/jwt.h"

namespace relayer::apps {
namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TokenSigner KeySigner(std::string pem, std::string kid, std::string issuer) {
  return [pem = std::move(pem), kid = std::move(kid), issuer = std::move(issuer)](
             const std::string& nonce, const std::string& user, std::string& token,
             std::string& error) {
    server::IdentityClaims claims;
    claims.iss = issuer;
    claims.prn = user;
    claims.nce = nonce;
    claims.iat = NowSeconds();
    claims.exp = claims.iat + 600;
    auto signed_token = server::SignIdentityToken(pem, kid, claims);
    if (!signed_token.ok()) {
      error = "cannot sign the identity token: " + signed_token.status().message();
      return false;
    }
    token = *signed_token;
    return true;
  };
}

// Runs `sh -c COMMAND relayer-token NONCE USER` (so $1 is the nonce, $2 the user id; also in
// $RELAYER_NONCE and $RELAYER_USER_ID) and takes its first output line.
bool RunTokenCommand(const std::string& command, const std::string& nonce, const std::string& user,
                     std::string& token, std::string& error) {
  int out[2];
  if (pipe(out) != 0) {
    error = "cannot run --token-command: pipe failed";
    return false;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(out[0]);
    close(out[1]);
    error = "cannot run --token-command: fork failed";
    return false;
  }
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    setenv("RELAYER_NONCE", nonce.c_str(), 1);
    setenv("RELAYER_USER_ID", user.c_str(), 1);
    execl("/bin/sh", "sh", "-c", command.c_str(), "relayer-token", nonce.c_str(), user.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string output;
  std::array<char, 4096> buf;
  ssize_t n;
  while ((n = read(out[0], buf.data(), buf.size())) > 0) output.append(buf.data(), n);
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = "--token-command failed (exit status " +
            std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
    return false;
  }
  token = output.substr(0, output.find_first_of("\r\n"));
  if (token.empty()) {
    error = "--token-command printed no token";
    return false;
  }
  return true;
}

}  // namespace

bool MakeCredentials(const CredentialFlags& f, Credentials& out, std::string& error) {
  if (!f.token_command.empty()) {
    out.app_id = f.app_id;
    if (out.app_id.empty()) {  // a dev server's app, when --data holds it
      if (auto dev = server::LoadDevApp(f.data_dir); dev.ok()) out.app_id = dev->app.id.str();
    }
    if (out.app_id.empty()) {
      error = "--token-command needs --app-id";
      return false;
    }
    out.sign = [cmd = f.token_command](const std::string& nonce, const std::string& user,
                                       std::string& token, std::string& err) {
      return RunTokenCommand(cmd, nonce, user, token, err);
    };
    return true;
  }
  if (!f.key_file.empty()) {
    if (f.app_id.empty() || f.key_id.empty() || f.provider_id.empty()) {
      error = "--key-file needs --key-id, --provider-id and --app-id";
      return false;
    }
    std::ifstream in(f.key_file, std::ios::binary);
    if (!in) {
      error = "cannot read the key file " + f.key_file;
      return false;
    }
    std::stringstream pem;
    pem << in.rdbuf();
    out.app_id = f.app_id;
    out.sign = KeySigner(pem.str(), f.key_id, f.provider_id);
    return true;
  }
  auto dev = server::LoadDevApp(f.data_dir);
  if (!dev.ok() || !dev->app.dev_private_pem) {
    error = "no credentials: " + f.data_dir +
            " holds no dev app (start `relayer serve --dev --data " + f.data_dir +
            "`, or pass --app-id of a --dev server, --key-file or --token-command)";
    return false;
  }
  out.app_id = f.app_id.empty() ? dev->app.id.str() : f.app_id;
  out.sign = KeySigner(*dev->app.dev_private_pem, dev->app.dev_kid, dev->app.provider_id);
  return true;
}

}  // namespace relayer::apps
