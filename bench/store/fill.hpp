// Builds (once) and caches the databases the read benchmarks run on.
//
// A read database of N actions holds FilledAction(kFillSeed, 0..N-1), each written through
// Journal::CloneActionWithEvents (one transaction per action: the row checks, the inserts and the
// hash-chained change-log entries, as an import would write them) from `threads` client threads,
// with Durability::kNormal (WAL, synchronous=NORMAL: no fsync per commit) for the fill only.
// Sizes are built in ascending order in one pass: the database is copied when it reaches each
// size. A finished database is marked by "<db>.done" (its parameters and fill time) and reused by
// later runs; a missing or different marker means it is rebuilt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "actionlog/core/error.hpp"

namespace actionlog::bench {

inline constexpr std::uint64_t kFillSeed = 0x5eed0001;

// The cached database path for `actions` (it may not exist yet).
std::filesystem::path FilledDbPath(const std::filesystem::path& data_dir, std::uint64_t actions);

// True when FilledDbPath(data_dir, actions) is complete.
bool IsFilled(const std::filesystem::path& data_dir, std::uint64_t actions);

// Makes every size of `sizes` available, building only what is missing. Progress on stderr.
Status EnsureFilled(const std::filesystem::path& data_dir, std::vector<std::uint64_t> sizes,
                    int threads);

}  // namespace actionlog::bench
