#include "raw_sqlite.hpp"

#include <sqlite3.h>

namespace actionlog::bench {
namespace {

const std::string& Row() {
  static const std::string row(100, 'x');
  return row;
}

bool Exec(sqlite3* db, const char* sql, std::string& error) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    error = std::string(sql) + ": " + sqlite3_errmsg(db);
    return false;
  }
  return true;
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql, std::string& error) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    error = std::string(sql) + ": " + sqlite3_errmsg(db);
    return nullptr;
  }
  return stmt;
}

}  // namespace

std::unique_ptr<RawCommitProbe> RawCommitProbe::Open(const std::string& path, std::string& error) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    error = "cannot open " + path + ": " + sqlite3_errmsg(db);
    sqlite3_close_v2(db);
    return nullptr;
  }
  std::unique_ptr<RawCommitProbe> probe(new RawCommitProbe(db));
  if (!Exec(db, "PRAGMA journal_mode=WAL", error) || !Exec(db, "PRAGMA synchronous=FULL", error) ||
      !Exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)", error)) {
    return nullptr;
  }
  probe->begin_ = Prepare(db, "BEGIN", error);
  probe->insert_ = Prepare(db, "INSERT INTO t(v) VALUES(?)", error);
  probe->commit_ = Prepare(db, "COMMIT", error);
  if (probe->begin_ == nullptr || probe->insert_ == nullptr || probe->commit_ == nullptr) {
    return nullptr;
  }
  sqlite3_bind_text(probe->insert_, 1, Row().data(), static_cast<int>(Row().size()), SQLITE_STATIC);
  return probe;
}

RawCommitProbe::~RawCommitProbe() {
  sqlite3_finalize(begin_);
  sqlite3_finalize(insert_);
  sqlite3_finalize(commit_);
  sqlite3_close_v2(db_);
}

bool RawCommitProbe::Step(sqlite3_stmt* stmt, std::string& error) {
  const int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    error = std::string("sqlite3_step: ") + sqlite3_errstr(rc);
    return false;
  }
  return true;
}

bool RawCommitProbe::CommitOneRow(std::string& error) {
  return Step(begin_, error) && Step(insert_, error) && Step(commit_, error);
}

}  // namespace actionlog::bench
