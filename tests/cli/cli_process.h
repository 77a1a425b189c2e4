// Child processes for the command-line client tests: the built `relayer` binary run with real
// arguments (a `serve --dev` on 127.0.0.1 port 0, and send/tail/chat), output captured in files.
// Every wait polls with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace relayer::cli_test {

using namespace std::chrono_literals;

// A fresh folder under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);

// Polls `check` every 50 ms until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& check, std::chrono::milliseconds timeout = 20s);

class Child {
 public:
  // Runs RELAYER_BIN with `args`; stdout and stderr go to files in `dir`.
  Child(const std::vector<std::string>& args, const std::string& dir);
  ~Child();  // SIGTERM, then SIGKILL if it does not end within 10 s
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  std::string out() const { return ReadFile(out_path_); }
  std::string err() const { return ReadFile(err_path_); }
  void Signal(int sig) const;
  // The exit code (128 + signal when killed), or nullopt if it still runs after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout = 20s);

 private:
  pid_t pid_ = -1;
  std::optional<int> code_;
  std::string out_path_, err_path_;
};

struct Outcome {
  int code = -1;
  std::string out, err;
};
// Runs `relayer ARGS` to its end (killed after 30 s: code -1).
Outcome RunRelayer(const std::vector<std::string>& args);

// `relayer serve --dev` on 127.0.0.1 with a port of its choosing, data in a temp folder.
class DevServer {
 public:
  DevServer();
  const std::string& url() const { return url_; }
  const std::string& data() const { return dir_.path(); }
  // --server URL --data DIR, for the client commands.
  std::vector<std::string> Flags() const;
  void Stop();

 private:
  TempDir dir_;
  std::optional<Child> child_;
  std::string url_;
};

}  // namespace relayer::cli_test
