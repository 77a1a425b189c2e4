// relayer-bench: the load generator on its own (the same as `relayer bench`).
#include "cli.h"

int main(int argc, char** argv) { return relayer::bench::Main(argc, argv); }
