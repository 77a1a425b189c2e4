// Method + path routing with ":name" parameters ("/conversations/:id/messages").
// Built once at start-up, then read-only: safe for concurrent Match calls.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/types.h"

namespace relayer::server {

template <class Fn>
class Router {
 public:
  void Add(http::verb method, std::string_view pattern, Fn fn) {
    routes_.push_back(Route{method, Split(pattern), std::move(fn)});
  }

  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Fn* fn = nullptr;
    std::vector<std::string> params;  // raw (still percent-encoded) segments
  };

  Match Find(http::verb method, std::string_view path) const {
    auto segments = Split(path);
    Match m;
    for (const auto& r : routes_) {
      std::vector<std::string> params;
      if (!Matches(r.segments, segments, params)) continue;
      if (r.method != method) {
        m.outcome = Outcome::kMethodNotAllowed;
        continue;
      }
      m.outcome = Outcome::kFound;
      m.fn = &r.fn;
      m.params = std::move(params);
      return m;
    }
    return m;
  }

  static std::vector<std::string> Split(std::string_view path) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= path.size()) {
      size_t j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      if (j > i) out.emplace_back(path.substr(i, j - i));
      i = j + 1;
    }
    return out;
  }

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;
    Fn fn;
  };

  static bool Matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                      std::vector<std::string>& params) {
    if (pattern.size() != path.size()) return false;
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (!pattern[i].empty() && pattern[i][0] == ':') {
        params.push_back(path[i]);
      } else if (pattern[i] != path[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Route> routes_;
};

}  // namespace relayer::server
