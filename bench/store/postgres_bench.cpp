// postgres_bench: the core journal on the PostgreSQL store, bounded by time. A plain main (one
// process per measurement, so each gets its own server connections); run it through
// bench/run_postgres_bench.sh, which starts a throwaway server and fills the read databases.
//
//   postgres_bench <url> write <threads> <seconds>        fully recorded actions/s (8 writes each)
//   postgres_bench <url> get   <threads> <seconds> <n>    get-with-events/s, n actions filled
//   postgres_bench <url> list  <threads> <seconds>        list-50/s of a random instance
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "actionlog/core/journal.hpp"
#include "actionlog/store/open_store.hpp"
#include "workload.hpp"

namespace actionlog::bench {
namespace {

struct Args {
  std::string url;
  std::string mode;
  int threads = 1;
  double seconds = 1;
  std::uint64_t actions = 0;
};

// Instance and request ids as bench/store/postgres_fill.sql writes them.
std::string FilledInstance(std::uint64_t i) {
  std::string digits = std::to_string(i % kInstances);
  return "00000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
}

bool RunOne(Journal& journal, const Args& args, Rng& rng, std::uint64_t& seq) {
  if (args.mode == "write") {
    const std::string uuid = InstanceUuid(static_cast<int>(seq % kInstances));
    return static_cast<bool>(RecordAction(journal, uuid, seq++, rng));
  }
  if (args.mode == "get") {
    const std::uint64_t i = rng() % args.actions + 1;
    auto got = journal.GetAction(FilledInstance(i), "req-" + std::to_string(i));
    return got && got->events.size() == 3;
  }
  auto page = journal.ListActions({FilledInstance(rng()), 50, {}, {}, {}});
  return page && page->size() == 50;
}

int Run(const Args& args) {
  store::StoreOptions options;
  options.url = args.url;
  options.read_connections = args.threads;
  auto opened = store::OpenStore(options);
  if (!opened) {
    std::fprintf(stderr, "open: %s\n", opened.error().message.c_str());
    return 1;
  }
  Journal journal(std::shared_ptr<store::Store>(std::move(*opened)));
  if (args.mode == "write" && !RegisterInstances(journal)) {
    return 1;
  }
  std::atomic<bool> stop{false};
  std::atomic<long> done{0};
  std::atomic<long> failed{0};
  std::vector<std::thread> workers;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < args.threads; ++t) {
    workers.emplace_back([&, t] {
      Rng rng(1234 + static_cast<std::uint64_t>(t));
      std::uint64_t seq = static_cast<std::uint64_t>(t) << 32U;
      while (!stop.load()) {
        (RunOne(journal, args, rng, seq) ? done : failed)++;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(args.seconds));
  stop = true;
  for (auto& w : workers) {
    w.join();
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s threads=%d ops=%ld failed=%ld rate=%.1f/s\n", args.mode.c_str(), args.threads,
              done.load(), failed.load(), static_cast<double>(done.load()) / elapsed);
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace actionlog::bench

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s <url> write|get|list <threads> <seconds> [actions]\n", argv[0]);
    return 2;
  }
  actionlog::bench::Args args;
  args.url = argv[1];
  args.mode = argv[2];
  args.threads = std::atoi(argv[3]);
  args.seconds = std::atof(argv[4]);
  args.actions = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 0;
  if (args.threads < 1 || args.seconds <= 0 || (args.mode == "get" && args.actions == 0)) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  return actionlog::bench::Run(args);
}
