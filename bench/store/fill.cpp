#include "fill.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "actionlog/store/open_store.hpp"
#include "workload.hpp"

namespace actionlog::bench {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFormat = "fill-v1";
constexpr std::uint64_t kProgressEvery = 100000;

std::string Marker(std::uint64_t actions, int schema = store::kSchemaVersion) {
  std::ostringstream out;
  out << kFormat << " actions=" << actions << " seed=" << kFillSeed << " instances=" << kInstances
      << " events=" << kEventsPerAction << " schema=" << schema;
  return out.str();
}

fs::path MarkerPath(const fs::path& db) { return fs::path(db.string() + ".done"); }

void RemoveDb(const fs::path& db) {
  for (const char* suffix : {"", "-wal", "-shm", ".done"}) {
    fs::remove(db.string() + suffix);
  }
}

Result<std::unique_ptr<Journal>> OpenForFill(const fs::path& db) {
  store::StoreOptions options;
  options.url = "sqlite://" + fs::absolute(db).string();
  options.durability = store::Durability::kNormal;
  options.read_connections = 1;
  ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, store::OpenStore(options));
  return std::make_unique<Journal>(std::shared_ptr<store::Store>(std::move(store)));
}

// Clones actions [from, to) with `threads` client threads.
Status CloneRange(Journal& journal, std::uint64_t from, std::uint64_t to, int threads) {
  std::atomic<std::uint64_t> next{from};
  std::mutex mu;
  Status first_error;
  auto work = [&] {
    for (std::uint64_t i = next++; i < to; i = next++) {
      auto written = journal.CloneActionWithEvents(BenchActor(), FilledAction(kFillSeed, i));
      if (!written) {
        const std::lock_guard<std::mutex> lock(mu);
        first_error = written.error();
        next = to;
      }
      if ((i + 1) % kProgressEvery == 0) {
        std::fprintf(stderr, "fill: %llu actions\n", static_cast<unsigned long long>(i + 1));
      }
    }
  };
  std::vector<std::jthread> pool;
  for (int t = 0; t < std::max(threads, 1); ++t) {
    pool.emplace_back(work);
  }
  pool.clear();
  return first_error;
}

// Grows the database at `work` from `have` to `want` actions, then closes it (checkpointing
// the WAL into the main file).
Status Grow(const fs::path& work, std::uint64_t have, std::uint64_t want, int threads) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<Journal> journal, OpenForFill(work));
  if (have == 0) {
    ACTIONLOG_RETURN_IF_ERROR(RegisterInstances(*journal));
  }
  return CloneRange(*journal, have, want, threads);
}

// A database filled by an older schema holds the same rows a fill would write now (the read
// workload never changed with a migration), so it is upgraded in place rather than rebuilt:
// `actionlog db upgrade`, as an operator would run it.
Status UpgradeOlderFill(const fs::path& data_dir, std::uint64_t actions) {
  const fs::path db = FilledDbPath(data_dir, actions);
  std::vector<std::string> lines;
  {
    std::ifstream in(MarkerPath(db));
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
    }
  }
  int older = 0;
  for (int schema = 1; schema < store::kSchemaVersion; ++schema) {
    if (!lines.empty() && lines[0] == Marker(actions, schema)) {
      older = schema;
    }
  }
  if (older == 0 || !fs::exists(db)) {
    return OkStatus();
  }
  std::fprintf(stderr, "fill: upgrading %s from schema %d to %d\n", db.c_str(), older,
               store::kSchemaVersion);
  store::StoreOptions options;
  options.url = "sqlite://" + fs::absolute(db).string();
  options.allow_old_schema = true;
  options.read_connections = 1;
  ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, store::OpenStore(options));
  ACTIONLOG_RETURN_IF_ERROR(store->Upgrade());
  store.reset();
  lines[0] = Marker(actions);
  std::ofstream out(MarkerPath(db));
  for (const std::string& line : lines) {
    out << line << "\n";
  }
  return OkStatus();
}

void WriteMarker(const fs::path& db, std::uint64_t from, std::uint64_t actions, double seconds) {
  std::ofstream(MarkerPath(db)) << Marker(actions) << "\nfilled_from=" << from
                                << "\nfill_seconds=" << seconds << "\n";
}

// Grows `work` from `have` to `size` actions and publishes it as FilledDbPath(size): a copy when
// `keep_work` (a larger size continues from it), else a rename.
Status BuildNext(const fs::path& data_dir, const fs::path& work, std::uint64_t have,
                 std::uint64_t size, int threads, bool keep_work) {
  std::fprintf(stderr, "fill: %llu -> %llu actions in %s\n", static_cast<unsigned long long>(have),
               static_cast<unsigned long long>(size), work.c_str());
  const auto t0 = std::chrono::steady_clock::now();
  ACTIONLOG_RETURN_IF_ERROR(Grow(work, have, size, threads));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const fs::path db = FilledDbPath(data_dir, size);
  RemoveDb(db);
  if (keep_work) {
    fs::copy_file(work, db);
  } else {
    fs::rename(work, db);
  }
  WriteMarker(db, have, size, seconds);
  std::fprintf(stderr, "fill: %s done in %.1f s (%.0f actions/s)\n", db.c_str(), seconds,
               static_cast<double>(size - have) / seconds);
  return OkStatus();
}

// An exclusive flock on "<data_dir>/fill.lock" for the lifetime of the object.
class FillLock {
 public:
  explicit FillLock(const fs::path& data_dir)
      : fd_(open((data_dir / "fill.lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
    if (fd_ >= 0 && flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      std::fprintf(stderr, "fill: waiting for another process building in %s\n", data_dir.c_str());
      flock(fd_, LOCK_EX);
    }
  }

  ~FillLock() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }

  FillLock(const FillLock&) = delete;
  FillLock& operator=(const FillLock&) = delete;

 private:
  int fd_;
};

}  // namespace

fs::path FilledDbPath(const fs::path& data_dir, std::uint64_t actions) {
  return data_dir / (std::string(kFormat) + "-" + std::to_string(actions) + ".db");
}

bool IsFilled(const fs::path& data_dir, std::uint64_t actions) {
  std::ifstream in(MarkerPath(FilledDbPath(data_dir, actions)));
  std::string first;
  std::getline(in, first);
  return first == Marker(actions) && fs::exists(FilledDbPath(data_dir, actions));
}

Status EnsureFilled(const fs::path& data_dir, std::vector<std::uint64_t> sizes, int threads) {
  std::sort(sizes.begin(), sizes.end());
  std::erase_if(sizes, [&](std::uint64_t n) { return n == 0; });
  const auto all_filled = [&] {
    return std::all_of(sizes.begin(), sizes.end(), [&](auto n) { return IsFilled(data_dir, n); });
  };
  if (all_filled()) {
    return OkStatus();
  }
  fs::create_directories(data_dir);
  const FillLock lock(data_dir);  // another process may be building the same files
  for (const std::uint64_t size : sizes) {
    ACTIONLOG_RETURN_IF_ERROR(UpgradeOlderFill(data_dir, size));
  }
  if (all_filled()) {
    return OkStatus();
  }
  const fs::path work = data_dir / (std::string(kFormat) + "-building.db");
  RemoveDb(work);
  std::uint64_t have = 0;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    const std::uint64_t size = sizes[k];
    const bool later_missing =
        std::any_of(sizes.begin() + static_cast<std::ptrdiff_t>(k) + 1, sizes.end(),
                    [&](auto n) { return !IsFilled(data_dir, n); });
    if (IsFilled(data_dir, size)) {
      if (later_missing) {
        RemoveDb(work);
        fs::copy_file(FilledDbPath(data_dir, size), work);
        have = size;
      }
      continue;
    }
    ACTIONLOG_RETURN_IF_ERROR(BuildNext(data_dir, work, have, size, threads, later_missing));
    have = size;
  }
  RemoveDb(work);
  return OkStatus();
}

}  // namespace actionlog::bench
