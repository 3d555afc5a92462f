// Fuzzes the Nova import (src/import/): the SQLite reader, the row conversion and the import
// through the journal's clone path, on Nova databases whose rows come from the input.
//
// Input: up to 64 lines, one row each, fields separated by '|', "\N" for NULL, missing trailing
// fields NULL. The first field names the table:
//   I|id|uuid|project_id|user_id|host|display_name|created_at|updated_at|deleted_at|deleted
//   A|id|action|instance_uuid|request_id|user_id|project_id|created_at|updated_at|deleted_at|
//     start_time|finish_time|message|deleted
//   E|id|action_id|event|created_at|updated_at|deleted_at|start_time|finish_time|result|
//     traceback|host|details|deleted
// Values are bound as text into Nova's column types (SQLite applies Nova's column affinity); a
// row SQLite refuses (duplicate id or uuid, non-integer id) is left out.
// Properties: the import succeeds (the reader and the journal refuse bad rows one by one, never
// the whole import), every row is counted exactly once as imported, unchanged or rejected, the
// journal verifies, and a second import of the same database adds nothing and rejects the same.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "fuzz_support.hpp"
#include "import/nova_import.hpp"
#include "import/nova_source.hpp"

namespace actionlog::fuzz {
namespace {

constexpr std::string_view kSchema = R"(
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE instances (
  created_at DATETIME, updated_at DATETIME, deleted_at DATETIME, id INTEGER NOT NULL,
  user_id VARCHAR(255), project_id VARCHAR(255), host VARCHAR(255), display_name VARCHAR(255),
  uuid VARCHAR(36) NOT NULL, deleted INTEGER, PRIMARY KEY (id));
CREATE UNIQUE INDEX uuid ON instances (uuid);
CREATE TABLE instance_actions (
  created_at DATETIME, updated_at DATETIME, deleted_at DATETIME, id INTEGER NOT NULL,
  action VARCHAR(255), instance_uuid VARCHAR(36), request_id VARCHAR(255), user_id VARCHAR(255),
  project_id VARCHAR(255), start_time DATETIME, finish_time DATETIME, message VARCHAR(255),
  deleted INTEGER, PRIMARY KEY (id));
CREATE TABLE instance_actions_events (
  created_at DATETIME, updated_at DATETIME, deleted_at DATETIME, id INTEGER NOT NULL,
  event VARCHAR(255), action_id INTEGER, start_time DATETIME, finish_time DATETIME,
  result VARCHAR(255), traceback TEXT, deleted INTEGER, host VARCHAR(255), details TEXT,
  PRIMARY KEY (id));
)";

struct Table {
  char tag;
  const char* insert;
  int columns;
};

const std::array<Table, 3> kTables = {{
    {'I',
     "INSERT INTO instances (id, uuid, project_id, user_id, host, display_name, created_at, "
     "updated_at, deleted_at, deleted) VALUES (?,?,?,?,?,?,?,?,?,?)",
     10},
    {'A',
     "INSERT INTO instance_actions (id, action, instance_uuid, request_id, user_id, project_id, "
     "created_at, updated_at, deleted_at, start_time, finish_time, message, deleted) "
     "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
     13},
    {'E',
     "INSERT INTO instance_actions_events (id, action_id, event, created_at, updated_at, "
     "deleted_at, start_time, finish_time, result, traceback, host, details, deleted) "
     "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
     13},
}};

std::vector<std::string_view> Split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t cut = line.find(sep);
    out.push_back(line.substr(0, cut));
    if (cut == std::string_view::npos) {
      return out;
    }
    line.remove_prefix(cut + 1);
  }
}

void Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  const std::string message = err != nullptr ? err : "";
  sqlite3_free(err);
  Check(rc == SQLITE_OK, "building the Nova database", message);
}

std::int64_t Count(sqlite3* db, const char* table) {
  const std::string sql = std::string("SELECT COUNT(*) FROM ") + table;
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK, "count");
  Check(sqlite3_step(stmt) == SQLITE_ROW, "count step");
  const std::int64_t n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return n;
}

struct RowCounts {
  std::int64_t instances = 0;
  std::int64_t actions = 0;
  std::int64_t events = 0;
};

// Writes the Nova database at `path` from the input's lines.
RowCounts BuildNovaDb(const std::string& path, std::string_view input) {
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  Check(sqlite3_open(path.c_str(), &db) == SQLITE_OK, "opening the Nova database");
  Exec(db, std::string(kSchema).c_str());
  std::array<sqlite3_stmt*, 3> inserts{};
  for (std::size_t t = 0; t < kTables.size(); ++t) {
    Check(sqlite3_prepare_v2(db, kTables.at(t).insert, -1, &inserts.at(t), nullptr) == SQLITE_OK,
          "prepare insert");
  }
  int lines = 0;
  for (const std::string_view line : Split(input, '\n')) {
    if (++lines > 64) {
      break;
    }
    const std::vector<std::string_view> fields = Split(line, '|');
    for (std::size_t t = 0; t < kTables.size(); ++t) {
      if (fields.front() != std::string_view(&kTables.at(t).tag, 1)) {
        continue;
      }
      sqlite3_stmt* stmt = inserts.at(t);
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      for (int c = 0; c < kTables.at(t).columns; ++c) {
        const auto at = static_cast<std::size_t>(c) + 1;
        if (at < fields.size() && fields[at] != "\\N") {
          sqlite3_bind_text(stmt, c + 1, fields[at].data(), static_cast<int>(fields[at].size()),
                            SQLITE_TRANSIENT);
        }
      }
      (void)sqlite3_step(stmt);  // a refused row is simply not in the database
    }
  }
  for (sqlite3_stmt* stmt : inserts) {
    sqlite3_finalize(stmt);
  }
  RowCounts counts{Count(db, "instances"), Count(db, "instance_actions"),
                   Count(db, "instance_actions_events")};
  Check(sqlite3_close(db) == SQLITE_OK, "closing the Nova database");
  return counts;
}

import::ImportSummary Import(const std::string& path, Journal& journal, std::string_view input){
    auto source = import::OpenNovaSource("sqlite://" + path);
Check(static_cast<bool>(source), "opening the Nova database as a source",
      source ? "" : source.error().message);
import::ImportOptions options;
options.actor = Actor{"importer", "admin", "import"};
options.jobs = 2;
options.on_reject = [](const import::Rejection& r) {
  Check(!r.table.empty() && !r.reason.empty(), "rejection without table or reason", r.reason);
};
auto summary = import::ImportFromNova(**source, journal, options);
Check(static_cast<bool>(summary), "import failed as a whole",
      std::string(summary ? "" : summary.error().message) + "\n" + std::string(input));
return *summary;
}  // namespace

std::int64_t Total(const import::ImportCounts& c) { return c.imported + c.unchanged + c.rejected; }

}  // namespace actionlog::fuzz
}  // namespace actionlog::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace actionlog;        // NOLINT(google-build-using-namespace)
  using namespace actionlog::fuzz;  // NOLINT(google-build-using-namespace)
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string path = ScratchDir() + "/nova.sqlite";
  const RowCounts rows = BuildNovaDb(path, input);

  auto journal = NewMemoryJournal();
  const import::ImportSummary first = Import(path, *journal, input);
  Check(Total(first.instances) == rows.instances && Total(first.actions) == rows.actions &&
            Total(first.events) == rows.events,
        "a row not counted exactly once", input);
  auto report = journal->Verify();
  Check(report && report->ok, "verify after the import", report ? report->problem : "");

  const import::ImportSummary second = Import(path, *journal, input);
  auto same = [](const import::ImportCounts& a, const import::ImportCounts& b) {
    return b.imported == 0 && b.unchanged == a.imported + a.unchanged && b.rejected == a.rejected;
  };
  Check(same(first.instances, second.instances) && same(first.actions, second.actions) &&
            same(first.events, second.events),
        "a second import of the same database changed something", input);
  report = journal->Verify();
  Check(report && report->ok, "verify after the second import", report ? report->problem : "");
  return 0;
}
