// Test databases for every store backend, so one suite runs against all of them (SOCI-style).
// PostgreSQL databases are created on the server named by ACTIONLOG_TEST_PG_DSN (a
// postgresql:// URL; scripts/with-postgres.sh starts such a server) and dropped afterwards.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "actionlog/core/error.hpp"
#include "testing/testing.hpp"

namespace actionlog::testing {

enum class Backend { kSqliteMemory, kSqliteFile, kPostgres };

std::vector<Backend> AllBackends();
std::string BackendName(Backend backend);

// Names the backend in gtest's listings of parameterized tests instead of printing its bytes.
inline void PrintTo(Backend backend, std::ostream* os) { *os << BackendName(backend); }

// One fresh, empty database. Move-only; drops/removes the database on destruction.
struct TestDatabase {
  TestDatabase() = default;
  TestDatabase(TestDatabase&&) noexcept;
  TestDatabase& operator=(TestDatabase&&) noexcept;
  ~TestDatabase();

  Backend backend = Backend::kSqliteMemory;
  std::string url;          // what OpenStore takes
  bool persistent = false;  // survives closing every store (false for :memory:)
  bool skip = false;        // the backend is not available here
  std::string skip_reason;
  std::shared_ptr<TempDir> dir;  // SQLite files live here
  std::string file;              // SQLite file path
  std::string pg_server_url;     // PostgreSQL: the maintenance connection
  std::string pg_database;       // PostgreSQL: the database name
};

Result<TestDatabase> MakeTestDatabase(Backend backend);

// A copy of a persistent database, taken while no store has it open; nullopt when the backend
// cannot be copied (in memory).
struct Snapshot {
  std::string name;  // file path or database name
};

std::optional<Snapshot> SnapshotDatabase(const TestDatabase& db);
Status RestoreDatabase(const TestDatabase& db, const Snapshot& snapshot);

// Runs raw SQL on the database without going through actionlog (to simulate tampering).
Status ExecuteBehindTheBack(const TestDatabase& db, const std::string& sql);

}  // namespace actionlog::testing
