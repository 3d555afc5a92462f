// The machine's one-row durable commit rate, straight through the sqlite3 C API.
//
// A file in WAL mode with synchronous=FULL; every commit is BEGIN, INSERT of one ~100-byte row,
// COMMIT, as in ../shared/peers/nova-db/raw_sqlite_baseline.py. This is the floor that the
// journal's durable write rate is compared with. Not thread-safe: one probe per thread.
#pragma once

#include <memory>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace actionlog::bench {

class RawCommitProbe {
 public:
  // Creates `path` (which must not exist) with the probe table. Empty on error, with `error` set.
  static std::unique_ptr<RawCommitProbe> Open(const std::string& path, std::string& error);

  ~RawCommitProbe();
  RawCommitProbe(const RawCommitProbe&) = delete;
  RawCommitProbe& operator=(const RawCommitProbe&) = delete;

  // One durable transaction inserting one row. False (with `error` set) on failure.
  bool CommitOneRow(std::string& error);

 private:
  explicit RawCommitProbe(sqlite3* db) : db_(db) {}

  bool Step(sqlite3_stmt* stmt, std::string& error);

  sqlite3* db_;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
};

}  // namespace actionlog::bench
