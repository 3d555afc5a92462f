// Command-line flags of journal_bench (besides Google Benchmark's own --benchmark_* flags).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace actionlog::bench {

struct Flags {
  std::string data_dir = "bench-data";      // fresh write databases and the cached read databases
  std::uint64_t baseline_commits = 5000;    // raw one-row commits per baseline run
  std::uint64_t write_actions = 2000;       // actions of the sequential writer per run
  std::uint64_t concurrent_actions = 1000;  // actions per writer thread per run
  int writers = 8;                          // concurrent writer threads
  std::vector<std::uint64_t> read_sizes = {200000, 2000000};  // actions in the read databases
  std::vector<int> read_threads = {1, 2};
  double read_seconds = 2.0;  // --benchmark_min_time of each read benchmark
  // Unmeasured reads before each read benchmark, so that the reader connections' page caches
  // are in their steady state at every database size (cold-cache reads are not what is measured).
  double read_warmup_seconds = 2.0;
  int fill_threads = 32;   // client threads of the (one-off) fill
  bool fill_only = false;  // build the read databases, then exit
  // Reference rates for ratio counters (from the same run's JSON, passed by the driver script).
  std::optional<double> baseline_commits_per_s;
  std::optional<double> nova_actions_per_s;
  std::optional<double> nova_get_per_s;
  std::optional<double> nova_list_per_s;
};

// Parses and removes the flags above from argv (so that Google Benchmark sees only its own).
// Exits with a message on a malformed value.
Flags ParseFlags(int& argc, char** argv);

}  // namespace actionlog::bench
