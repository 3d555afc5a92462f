// journal_bench: durable write throughput, read throughput at 200k and 2M actions, and peak RSS of
// the actionlog journal on its SQLite store, next to the machine's raw one-row commit rate.
//
// Benchmarks (select with --benchmark_filter; bench/run_store_bench.sh runs each in its own
// process so that the peak_rss_MiB counter is the peak of that phase alone):
//   raw_sqlite_commit/wal_full      one-row BEGIN/INSERT/COMMIT, WAL + synchronous=FULL
//   journal_write/sequential        one writer; each of the 8 writes of an action its own commit
//   journal_write/concurrent        --writers threads sharing the store (group commit)
//   journal_get/actions:N           GetAction (action + its 3 events) of a random action
//   journal_list/actions:N          ListActions(limit 50) of a random instance
// Counters: items_per_second (commits, actions or reads per second); x_baseline_per_8 (actions/s
// over the baseline commit rate / 8); x_nova (over Nova's rate for the same workload);
// peak_rss_MiB (getrusage ru_maxrss of the process at the end of the benchmark).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include "actionlog/store/open_store.hpp"
#include "bench_flags.hpp"
#include "fill.hpp"
#include "raw_sqlite.hpp"
#include "workload.hpp"

namespace actionlog::bench {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kListLimit = 50;

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// A rate counter equal to (this thread's items / elapsed seconds) / reference.
void AddRatio(benchmark::State& state, const char* name, const std::optional<double>& reference,
              double scale = 1.0) {
  if (reference && *reference > 0) {
    state.counters[name] = benchmark::Counter(
        static_cast<double>(state.iterations()) * scale / *reference, benchmark::Counter::kIsRate);
  }
}

void AddPeakRss(benchmark::State& state) {
  if (state.thread_index() == 0) {
    state.counters["peak_rss_MiB"] = PeakRssMiB();
  }
}

fs::path MakeTempDir(const fs::path& parent) {
  fs::create_directories(parent);
  std::string pattern = (parent / "tmp-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return {};
  }
  return fs::absolute(pattern);
}

Result<std::shared_ptr<Journal>> OpenJournal(const fs::path& db, store::StoreOptions options) {
  options.url = "sqlite://" + fs::absolute(db).string();
  ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, store::OpenStore(options));
  return std::make_shared<Journal>(std::shared_ptr<store::Store>(std::move(store)));
}

void BM_RawCommit(benchmark::State& state, const Flags& flags) {
  const fs::path dir = MakeTempDir(flags.data_dir);
  std::string error;
  auto probe = RawCommitProbe::Open((dir / "commit_probe.db").string(), error);
  if (!probe) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    if (!probe->CommitOneRow(error)) {
      state.SkipWithError(error.c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  AddPeakRss(state);
  probe.reset();
  fs::remove_all(dir);
}

// A fresh database in a temp dir with the instances registered, shared by the writer threads.
struct WriteFixture {
  fs::path dir;
  std::shared_ptr<Journal> journal;
  std::string error;
};

WriteFixture& Fixture() {
  static WriteFixture fixture;
  return fixture;
}

void SetUpWrite(const Flags& flags) {
  WriteFixture& f = Fixture();
  f = {};
  f.dir = MakeTempDir(flags.data_dir);
  auto journal = OpenJournal(f.dir / "journal.db", store::StoreOptions{});
  if (!journal) {
    f.error = journal.error().message;
    return;
  }
  f.journal = *journal;
  if (auto st = RegisterInstances(*f.journal); !st) {
    f.error = st.error().message;
  }
}

void TearDownWrite() {
  WriteFixture& f = Fixture();
  f.journal.reset();
  fs::remove_all(f.dir);
  f = {};
}

void BM_Write(benchmark::State& state, const Flags& flags) {
  if (state.thread_index() == 0) {
    SetUpWrite(flags);
  }
  const auto threads = static_cast<std::uint64_t>(state.threads());
  const auto me = static_cast<std::uint64_t>(state.thread_index());
  Rng rng(std::random_device{}());
  std::uint64_t k = 0;
  for (auto _ : state) {
    WriteFixture& f = Fixture();
    if (!f.error.empty()) {
      state.SkipWithError(f.error.c_str());
      break;
    }
    const std::uint64_t seq = me + k++ * threads;
    const auto instance = static_cast<int>(seq % kInstances);
    if (auto st = RecordAction(*f.journal, InstanceUuid(instance), seq, rng); !st) {
      state.SkipWithError(st.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  AddRatio(state, "x_baseline_per_8", flags.baseline_commits_per_s, 8.0);
  AddRatio(state, "x_nova", flags.nova_actions_per_s);
  AddPeakRss(state);
  if (state.thread_index() == 0) {
    TearDownWrite();
  }
}

// Read databases stay open for the whole process (Google Benchmark calls a benchmark several
// times while it sizes the iteration count).
std::shared_ptr<Journal> ReadJournal(const Flags& flags, std::uint64_t actions,
                                     std::string& error) {
  static std::map<std::uint64_t, std::shared_ptr<Journal>> open;
  if (auto it = open.find(actions); it != open.end()) {
    return it->second;
  }
  if (auto st = EnsureFilled(flags.data_dir, {actions}, flags.fill_threads); !st) {
    error = st.error().message;
    return nullptr;
  }
  auto journal = OpenJournal(FilledDbPath(flags.data_dir, actions), store::StoreOptions{});
  if (!journal) {
    error = journal.error().message;
    return nullptr;
  }
  return open[actions] = *journal;
}

using ReadOp = Status (*)(Journal&, std::uint64_t actions, Rng& rng);

Status GetOne(Journal& journal, std::uint64_t actions, Rng& rng) {
  const std::uint64_t i = std::uniform_int_distribution<std::uint64_t>(0, actions - 1)(rng);
  ACTIONLOG_ASSIGN_OR_RETURN(
      const ActionWithEvents got,
      journal.GetAction(InstanceUuid(static_cast<int>(i % kInstances)), RequestId(kFillSeed, i)));
  if (got.events.size() != kEventsPerAction) {
    return MakeError(ErrorCode::kInternal, "an action without its 3 events");
  }
  benchmark::DoNotOptimize(got);
  return OkStatus();
}

Status ListOne(Journal& journal, std::uint64_t actions, Rng& rng) {
  const int instance = std::uniform_int_distribution<int>(0, kInstances - 1)(rng);
  ListActionsSpec spec;
  spec.instance_uuid = InstanceUuid(instance);
  spec.limit = kListLimit;
  ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Action> page, journal.ListActions(spec));
  const auto want = std::min<std::uint64_t>(kListLimit, actions / kInstances);
  if (page.size() != want) {
    return MakeError(ErrorCode::kInternal, "a short page");
  }
  benchmark::DoNotOptimize(page);
  return OkStatus();
}

void BM_Read(benchmark::State& state, const Flags& flags, std::uint64_t actions, ReadOp op,
             const std::optional<double>& nova) {
  std::string error;
  static std::shared_ptr<Journal> journal;
  if (state.thread_index() == 0) {
    journal = ReadJournal(flags, actions, error);
  }
  Rng rng(std::random_device{}());
  for (auto _ : state) {
    if (!journal) {
      state.SkipWithError("the read database could not be opened or filled");
      break;
    }
    if (auto st = op(*journal, actions, rng); !st) {
      state.SkipWithError(st.error().message.c_str());
      break;
    }
  }
  if (!error.empty()) {
    std::fprintf(stderr, "journal_bench: %s\n", error.c_str());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  AddRatio(state, "x_nova_200k", nova);
  AddPeakRss(state);
}

void RegisterAll(const Flags& flags) {
  benchmark::RegisterBenchmark("raw_sqlite_commit/wal_full", BM_RawCommit, flags)
      ->Iterations(static_cast<benchmark::IterationCount>(flags.baseline_commits))
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("journal_write/sequential", BM_Write, flags)
      ->Iterations(static_cast<benchmark::IterationCount>(flags.write_actions))
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("journal_write/concurrent", BM_Write, flags)
      ->Threads(flags.writers)
      ->Iterations(static_cast<benchmark::IterationCount>(flags.concurrent_actions))
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  for (const std::uint64_t n : flags.read_sizes) {
    const std::string size = "/actions:" + std::to_string(n);
    for (const int t : flags.read_threads) {
      benchmark::RegisterBenchmark(("journal_get" + size).c_str(), BM_Read, flags, n, &GetOne,
                                   flags.nova_get_per_s)
          ->Threads(t)
          ->MinTime(flags.read_seconds)
          ->MinWarmUpTime(flags.read_warmup_seconds)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("journal_list" + size).c_str(), BM_Read, flags, n, &ListOne,
                                   flags.nova_list_per_s)
          ->Threads(t)
          ->MinTime(flags.read_seconds)
          ->MinWarmUpTime(flags.read_warmup_seconds)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

void AddContext(const Flags& flags) {
  benchmark::AddCustomContext("sqlite_version", sqlite3_libversion());
  benchmark::AddCustomContext("data_dir", fs::absolute(flags.data_dir).string());
  for (const std::uint64_t n : flags.read_sizes) {
    std::ifstream marker(FilledDbPath(flags.data_dir, n).string() + ".done");
    std::string text;
    for (std::string line; std::getline(marker, line);) {
      text += (text.empty() ? "" : "; ") + line;
    }
    if (!text.empty()) {
      benchmark::AddCustomContext("fill_" + std::to_string(n), text);
    }
  }
}

}  // namespace
}  // namespace actionlog::bench

int main(int argc, char** argv) {
  using actionlog::bench::Flags;
  const Flags flags = actionlog::bench::ParseFlags(argc, argv);
  if (flags.fill_only) {
    auto st = actionlog::bench::EnsureFilled(flags.data_dir, flags.read_sizes, flags.fill_threads);
    if (!st) {
      std::fprintf(stderr, "journal_bench: fill failed: %s\n", st.error().message.c_str());
      return 1;
    }
    return 0;
  }
  actionlog::bench::RegisterAll(flags);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  actionlog::bench::AddContext(flags);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
