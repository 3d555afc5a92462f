// One SQLite connection and its cache of prepared statements.
//
// Owns the sqlite3 handle (closed with sqlite3_close_v2) and every statement it prepared
// (finalized first). Not thread-safe: one thread at a time; the store serializes access.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "actionlog/core/error.hpp"
#include "actionlog/store/store.hpp"
#include "store/sqlite/sql.hpp"
#include "store/sqlite/statement.hpp"

namespace actionlog::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

inline constexpr int kBusyTimeoutMs = 5000;

class Connection {
 public:
  // Opens `path` (or ":memory:"). `create`: create the file when missing. `batch_wal`: write the
  // WAL through the batching shim (wal_batch_vfs.hpp); only for a connection that will run with
  // `synchronous=FULL`. Errors: kUnavailable when the file cannot be opened (missing directory,
  // permissions).
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool create,
                                                  bool batch_wal = false);

  // Per-connection settings. `writer` = false makes the connection read-only (query_only).
  Status Configure(Durability durability, bool writer);
  // Switches the database file to WAL (persistent; only on the writer of a file database).
  Status EnableWal();

  // Runs SQL text without parameters (DDL, pragmas). Not const: it changes the database.
  Status Exec(std::string_view sql, std::string_view context);

  // The cached prepared statement `id` (prepared on first use), reset when the result dies.
  Result<Statement> Get(std::size_t id);

  Result<Statement> Get(StmtId id) { return Get(Index(id)); }

  // Prepares `sql` without caching (rare statements: schema inspection).
  Result<StmtPtr> PrepareUncached(std::string_view sql);

  sqlite3* Handle() const { return db_.get(); }

  const std::string& Path() const { return path_; }

 private:
  Connection(DbPtr db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

  DbPtr db_;
  std::string path_;
  std::array<StmtPtr, kStmtCount> cache_;  // declared after db_: finalized before close
};

}  // namespace actionlog::store::sqlite
