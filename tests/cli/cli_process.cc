#include "cli/cli_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace relayer::cli_test {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "relayer-cli-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Eventually(const std::function<bool()>& check, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (check()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

Child::Child(const std::vector<std::string>& args, const std::string& dir) {
  static int counter = 0;
  std::string base = dir + "/child" + std::to_string(++counter);
  out_path_ = base + ".out";
  err_path_ = base + ".err";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv;
    std::string bin = RELAYER_BIN;
    argv.push_back(bin.data());
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
}

Child::~Child() {
  if (code_ || pid_ <= 0) return;
  Signal(SIGTERM);
  if (!Wait(10s)) {
    Signal(SIGKILL);
    Wait(10s);
  }
}

void Child::Signal(int sig) const {
  if (!code_ && pid_ > 0) kill(pid_, sig);
}

std::optional<int> Child::Wait(std::chrono::milliseconds timeout) {
  if (code_) return code_;
  Eventually(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return true;
      },
      timeout);
  return code_;
}

Outcome RunRelayer(const std::vector<std::string>& args) {
  TempDir dir;
  Child child(args, dir.path());
  Outcome run;
  auto code = child.Wait(30s);
  run.code = code ? *code : -1;
  if (!code) child.Signal(SIGKILL);
  run.out = child.out();
  run.err = child.err();
  return run;
}

DevServer::DevServer() {
  child_.emplace(
      std::vector<std::string>{"serve", "--dev", "--data", dir_.path(), "--listen", "127.0.0.1:0"},
      dir_.path());
  const std::string marker = "listening on ";
  Eventually([&] {
    std::string out = child_->out();
    auto at = out.find(marker);
    if (at == std::string::npos) return false;
    auto end = out.find('\n', at);
    if (end == std::string::npos) return false;
    url_ = out.substr(at + marker.size(), end - at - marker.size());
    return true;
  });
  if (url_.empty()) throw std::runtime_error("relayer serve did not start: " + child_->err());
}

std::vector<std::string> DevServer::Flags() const {
  return {"--server", url_, "--data", dir_.path()};
}

void DevServer::Stop() { child_.reset(); }

}  // namespace relayer::cli_test
