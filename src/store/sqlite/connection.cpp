#include "store/sqlite/connection.hpp"

#include <utility>

#include "store/sqlite/errors.hpp"
#include "store/sqlite/wal_batch_vfs.hpp"

namespace actionlog::store::sqlite {

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool create,
                                                     bool batch_wal) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (create) {
    flags |= SQLITE_OPEN_CREATE;
  }
  sqlite3* raw = nullptr;
  const char* vfs = batch_wal ? WalBatchVfsName() : nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return SqliteError(db.get(), rc, "cannot open SQLite database '" + path + "'");
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  return std::unique_ptr<Connection>(new Connection(std::move(db), path));
}

Status Connection::Configure(Durability durability, bool writer) {
  const std::string_view sync =
      durability == Durability::kFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  ACTIONLOG_RETURN_IF_ERROR(Exec(sync, "setting synchronous"));
  ACTIONLOG_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=ON", "enabling foreign keys"));
  ACTIONLOG_RETURN_IF_ERROR(Exec("PRAGMA cache_size=-65536", "setting the cache size"));
  ACTIONLOG_RETURN_IF_ERROR(Exec("PRAGMA temp_store=MEMORY", "setting temp_store"));
  if (!writer) {
    ACTIONLOG_RETURN_IF_ERROR(Exec("PRAGMA query_only=1", "making a reader read-only"));
  }
  return OkStatus();
}

Status Connection::EnableWal() {
  ACTIONLOG_ASSIGN_OR_RETURN(StmtPtr stmt, PrepareUncached("PRAGMA journal_mode=WAL"));
  const int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) {
    return SqliteError(Handle(), rc, "switching '" + path_ + "' to WAL mode");
  }
  const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
  if (mode == nullptr || std::string_view(mode) != "wal") {
    return MakeError(ErrorCode::kUnavailable, "cannot switch '" + path_ + "' to WAL mode (got " +
                                                  std::string(mode != nullptr ? mode : "null") +
                                                  ")");
  }
  return OkStatus();
}

// NOLINTNEXTLINE(readability-make-member-function-const): runs SQL that changes the database
Status Connection::Exec(std::string_view sql, std::string_view context) {
  const std::string text(sql);
  const int rc = sqlite3_exec(Handle(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteError(Handle(), rc, context);
  }
  return OkStatus();
}

// NOLINTNEXTLINE(readability-make-member-function-const): the statement can change the database
Result<StmtPtr> Connection::PrepareUncached(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(Handle(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) {
    return SqliteError(Handle(), rc, "preparing '" + std::string(sql) + "'");
  }
  return stmt;
}

Result<Statement> Connection::Get(std::size_t id) {
  StmtPtr& slot = cache_.at(id);
  if (!slot) {
    ACTIONLOG_ASSIGN_OR_RETURN(slot, PrepareUncached(StatementSql(id)));
  }
  return Statement(Handle(), slot.get());
}

}  // namespace actionlog::store::sqlite
