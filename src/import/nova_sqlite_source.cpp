#include "import/nova_sqlite_source.hpp"

#include <cctype>
#include <optional>
#include <string>
#include <utility>

#include <sqlite3.h>

#include "import/nova_rows.hpp"

namespace actionlog::import {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

const std::string kInstancesSql =
    std::string("SELECT ") + kInstanceColumns + " FROM instances ORDER BY id";
const std::string kActionsSql =
    std::string("SELECT ") + kActionColumns + " FROM instance_actions ORDER BY id";
// NULL action_ids sort first, so orphans without an action come out before every action.
const std::string kEventsSql =
    std::string("SELECT ") + kEventColumns + " FROM instance_actions_events ORDER BY action_id, id";

// "file:" URI of a path, so that mode=ro applies; every byte outside [A-Za-z0-9/._~-] is escaped.
std::string ReadOnlyUri(const std::string& path) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string uri = "file:";
  for (const char c : path) {
    const auto b = static_cast<unsigned char>(c);
    const bool plain =
        (std::isalnum(b) != 0) || c == '/' || c == '.' || c == '_' || c == '~' || c == '-';
    if (plain) {
      uri += c;
    } else {
      uri += '%';
      uri += kHex[b >> 4U];
      uri += kHex[b & 0xFU];
    }
  }
  return uri + "?mode=ro";
}

Error StepError(sqlite3* db, int rc) {
  const std::string message = std::string("reading the Nova database: ") + sqlite3_errmsg(db);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_NOMEM || rc == SQLITE_IOERR) {
    return MakeError(ErrorCode::kUnavailable, message);
  }
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) {
    return MakeError(ErrorCode::kDataLoss, message);
  }
  return MakeError(ErrorCode::kInternal, message);
}

// A RowCursor over a prepared statement.
class SqliteCursor final : public RowCursor {
 public:
  SqliteCursor(sqlite3* db, StmtPtr stmt) : db_(db), stmt_(std::move(stmt)) {}

  Result<bool> Step() override {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    return StepError(db_, rc);
  }

  bool IsNull(int col) const override {
    return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL;
  }

  std::int64_t Int(int col) const override { return sqlite3_column_int64(stmt_.get(), col); }

  std::optional<std::string> Text(int col) const override {
    if (IsNull(col)) {
      return std::nullopt;
    }
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
    const int size = sqlite3_column_bytes(stmt_.get(), col);
    return std::string(data == nullptr ? "" : data, static_cast<std::size_t>(size));
  }

 private:
  sqlite3* db_;
  StmtPtr stmt_;
};

class NovaSqliteSource final : public NovaSource {
 public:
  explicit NovaSqliteSource(DbPtr db) : db_(std::move(db)) {}

  Status ReadInstances(const NovaSink& sink) override {
    ACTIONLOG_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(db_.get(), kInstancesSql));
    SqliteCursor instances(db_.get(), std::move(stmt));
    return ReadInstanceRows(instances, sink);
  }

  Status ReadActions(const NovaSink& sink) override {
    ACTIONLOG_ASSIGN_OR_RETURN(StmtPtr action_stmt, Prepare(db_.get(), kActionsSql));
    ACTIONLOG_ASSIGN_OR_RETURN(StmtPtr event_stmt, Prepare(db_.get(), kEventsSql));
    SqliteCursor actions(db_.get(), std::move(action_stmt));
    SqliteCursor events(db_.get(), std::move(event_stmt));
    return MergeActionRows(actions, events, sink);
  }

  static Result<StmtPtr> Prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string("not a Nova database: ") + sqlite3_errmsg(db));
    }
    return StmtPtr(raw);
  }

 private:
  DbPtr db_;
};

}  // namespace

Result<std::unique_ptr<NovaSource>> OpenNovaSqliteSource(const std::string& path) {
  sqlite3* raw = nullptr;
  const std::string uri = ReadOnlyUri(path);
  const int rc =
      sqlite3_open_v2(uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot open Nova database '" + path +
                         "': " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 10000);
  for (const std::string* sql : {&kInstancesSql, &kActionsSql, &kEventsSql}) {
    Result<StmtPtr> probe = NovaSqliteSource::Prepare(db.get(), *sql);
    if (!probe) {
      return MakeError(probe.error().code, "'" + path + "' is " + probe.error().message);
    }
  }
  return std::make_unique<NovaSqliteSource>(std::move(db));
}

}  // namespace actionlog::import
