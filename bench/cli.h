// The load generator's command line, shared by `relayer bench ...` and `relayer-bench ...`.
#pragma once

namespace relayer::bench {

// argv[0] is the program (or subcommand) name; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace relayer::bench
