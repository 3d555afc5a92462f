#include "testing/backends.hpp"

#include <cstdlib>
#include <filesystem>
#include <random>

#include <sqlite3.h>

#ifdef ACTIONLOG_TEST_HAVE_PG
#include <libpq-fe.h>
#endif

namespace actionlog::testing {
namespace {

std::string RandomSuffix() {
  std::random_device rd;
  return std::to_string(rd()) + std::to_string(rd());
}

Status SqliteExec(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return MakeError(ErrorCode::kUnavailable, msg);
  }
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close_v2(db);
  if (rc != SQLITE_OK) {
    return MakeError(ErrorCode::kInternal, "sqlite: " + msg + " in: " + sql);
  }
  return OkStatus();
}

void RemoveSqliteFiles(const std::string& file) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(file + suffix, ec);
  }
}

#ifdef ACTIONLOG_TEST_HAVE_PG
// postgresql://user@host:port/db?params -> the same URL naming `dbname`.
std::string WithDatabase(const std::string& url, const std::string& dbname) {
  const std::size_t scheme = url.find("://");
  const std::size_t query = url.find('?');
  const std::string head = url.substr(0, query);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  const std::size_t slash = head.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::string authority = slash == std::string::npos ? head : head.substr(0, slash);
  return authority + "/" + dbname + tail;
}

Status PgExec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    return MakeError(ErrorCode::kUnavailable, "postgres: " + msg);
  }
  PGresult* res = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(res);
  std::string msg = PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return MakeError(ErrorCode::kInternal, "postgres: " + msg + " in: " + sql);
  }
  return OkStatus();
}
#endif

}  // namespace

TestDatabase::TestDatabase(TestDatabase&&) noexcept = default;
TestDatabase& TestDatabase::operator=(TestDatabase&&) noexcept = default;

TestDatabase::~TestDatabase() {
#ifdef ACTIONLOG_TEST_HAVE_PG
  if (!pg_database.empty()) {
    (void)PgExec(pg_server_url, "DROP DATABASE IF EXISTS " + pg_database + " WITH (FORCE)");
  }
#endif
}

std::vector<Backend> AllBackends() {
  return {Backend::kSqliteMemory, Backend::kSqliteFile, Backend::kPostgres};
}

std::string BackendName(Backend backend) {
  switch (backend) {
    case Backend::kSqliteMemory:
      return "SqliteMemory";
    case Backend::kSqliteFile:
      return "SqliteFile";
    case Backend::kPostgres:
      return "Postgres";
  }
  return "Unknown";
}

Result<TestDatabase> MakeTestDatabase(Backend backend) {
  TestDatabase db;
  db.backend = backend;
  switch (backend) {
    case Backend::kSqliteMemory:
      db.url = "sqlite://:memory:";
      return db;
    case Backend::kSqliteFile:
      db.dir = std::make_shared<TempDir>();
      db.file = db.dir->File("actionlog.db");
      db.url = "sqlite://" + db.file;
      db.persistent = true;
      return db;
    case Backend::kPostgres:
      break;
  }
  const char* dsn = std::getenv("ACTIONLOG_TEST_PG_DSN");
  if (dsn == nullptr || *dsn == '\0') {
    db.skip = true;
    db.skip_reason = "ACTIONLOG_TEST_PG_DSN is not set (run under scripts/with-postgres.sh)";
    return db;
  }
#ifdef ACTIONLOG_TEST_HAVE_PG
  db.pg_server_url = dsn;
  db.pg_database = "actionlog_t" + RandomSuffix();
  ACTIONLOG_RETURN_IF_ERROR(PgExec(db.pg_server_url, "CREATE DATABASE " + db.pg_database));
  db.url = WithDatabase(db.pg_server_url, db.pg_database);
  db.persistent = true;
  return db;
#else
  db.skip = true;
  db.skip_reason = "built without PostgreSQL support";
  return db;
#endif
}

std::optional<Snapshot> SnapshotDatabase(const TestDatabase& db) {
  if (db.backend == Backend::kSqliteFile) {
    Snapshot s{db.file + ".snapshot-" + RandomSuffix()};
    std::error_code ec;
    std::filesystem::copy_file(db.file, s.name, ec);
    if (ec) {
      return std::nullopt;
    }
    return s;
  }
#ifdef ACTIONLOG_TEST_HAVE_PG
  if (db.backend == Backend::kPostgres) {
    Snapshot s{db.pg_database + "_snap"};
    if (!PgExec(db.pg_server_url, "CREATE DATABASE " + s.name + " TEMPLATE " + db.pg_database)) {
      return std::nullopt;
    }
    return s;
  }
#endif
  return std::nullopt;
}

Status RestoreDatabase(const TestDatabase& db, const Snapshot& snapshot) {
  if (db.backend == Backend::kSqliteFile) {
    RemoveSqliteFiles(db.file);
    std::error_code ec;
    std::filesystem::rename(snapshot.name, db.file, ec);
    if (ec) {
      return MakeError(ErrorCode::kInternal, "restore failed: " + ec.message());
    }
    return OkStatus();
  }
#ifdef ACTIONLOG_TEST_HAVE_PG
  if (db.backend == Backend::kPostgres) {
    ACTIONLOG_RETURN_IF_ERROR(
        PgExec(db.pg_server_url, "DROP DATABASE " + db.pg_database + " WITH (FORCE)"));
    ACTIONLOG_RETURN_IF_ERROR(PgExec(
        db.pg_server_url, "CREATE DATABASE " + db.pg_database + " TEMPLATE " + snapshot.name));
    return PgExec(db.pg_server_url, "DROP DATABASE " + snapshot.name);
  }
#endif
  return MakeError(ErrorCode::kUnsupported, "cannot restore this backend");
}

Status ExecuteBehindTheBack(const TestDatabase& db, const std::string& sql) {
  if (db.backend == Backend::kSqliteFile) {
    return SqliteExec(db.file, sql);
  }
#ifdef ACTIONLOG_TEST_HAVE_PG
  if (db.backend == Backend::kPostgres) {
    return PgExec(db.url, sql);
  }
#endif
  return MakeError(ErrorCode::kUnsupported, "cannot edit this backend directly");
}

}  // namespace actionlog::testing
