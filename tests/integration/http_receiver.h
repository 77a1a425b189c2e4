// A real HTTP receiver for delivery tests: listens on 127.0.0.1 (port 0 first, the same port when
// restarted), records every request and answers with the status a test chooses. One background
// thread serves connections one after another. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace relayer::it {

struct ReceivedRequest {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
  int answered = 0;                                 // the status it was answered with
  std::string Header(std::string_view name) const;  // "" when absent, case-insensitive
};

class HttpReceiver {
 public:
  // Returns the status and body to answer `req` with.
  using Responder = std::function<std::pair<int, std::string>(const ReceivedRequest& req)>;

  HttpReceiver();
  ~HttpReceiver();

  uint16_t port() const { return port_; }
  std::string Url(const std::string& path = "/hook") const;

  void SetResponder(Responder responder);
  void SetStatus(int status);  // answer every request with `status` and an empty body

  // Stops listening (connections are refused) / listens again on the same port.
  void Stop();
  void Start();

  std::vector<ReceivedRequest> Received() const;
  size_t Count() const;

 private:
  void Serve();

  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  int listen_fd_ = -1;
  mutable std::mutex mu_;
  Responder responder_;
  std::vector<ReceivedRequest> received_;
};

}  // namespace relayer::it
