// What the client subcommands (send, tail, chat) share: connecting a
// relayer::sdk::Client as --as with the chosen credentials, waiting for SDK callbacks with a
// deadline, and turning an SDK Status into a one-line message and an exit code.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "cli_flags.h"
#include "relayer/client.h"

namespace relayer::apps {

// The client commands' code speaks the SDK's types unqualified.
using namespace relayer::sdk;

// Prints "relayer: WHAT: reason" on stderr and returns the exit code for `status`.
int Fail(const std::string& what, const Status& status);

// Runs `start` (which hands its callback to the SDK) and waits for that callback or the deadline
// (then kExitTimeout's status, code kCancelled with message "timed out").
Status WaitFor(const std::function<void(StatusCallback)>& start, std::chrono::milliseconds timeout);
std::chrono::milliseconds Timeout(const ClientFlags& flags);

// Builds a Client and connects it as flags.user. Returns kExitOk with `out` set, or prints the
// reason (server down, refused token, ...) and returns the exit code.
int ConnectClient(const ClientFlags& flags, std::unique_ptr<Client>& out);

// "bob,carol" -> {"bob", "carol"} (empty items dropped).
std::vector<std::string> SplitUsers(const std::string& list);

}  // namespace relayer::apps
