#include "store/sqlite/schema.hpp"

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "actionlog/store/store.hpp"
#include "store/common/backend.hpp"
#include "store/sqlite/errors.hpp"

namespace actionlog::store::sqlite {
namespace {

using Migration = std::vector<std::string_view>;

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      // 1: Nova's three tables with actionlog's integrity indexes, and the change log.
      {
          R"sql(CREATE TABLE actionlog_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL))sql",
          R"sql(CREATE TABLE instances (
  id INTEGER PRIMARY KEY, created_at DATETIME, updated_at DATETIME,
  deleted_at DATETIME, uuid VARCHAR(36) NOT NULL, project_id VARCHAR(255), user_id VARCHAR(255),
  host VARCHAR(255), display_name VARCHAR(255), deleted INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1))sql",
          R"sql(CREATE UNIQUE INDEX instances_uuid_idx ON instances(uuid))sql",
          R"sql(CREATE TABLE instance_actions (
  created_at DATETIME, updated_at DATETIME, deleted_at DATETIME,
  id INTEGER PRIMARY KEY, action VARCHAR(255),
  instance_uuid VARCHAR(36) NOT NULL REFERENCES instances(uuid),
  request_id VARCHAR(255) NOT NULL, user_id VARCHAR(255), project_id VARCHAR(255),
  start_time DATETIME, finish_time DATETIME, message VARCHAR(255),
  deleted INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1))sql",
          R"sql(CREATE UNIQUE INDEX instance_actions_live_request_idx
  ON instance_actions(instance_uuid, request_id) WHERE deleted = 0)sql",
          R"sql(CREATE INDEX instance_actions_page_idx
  ON instance_actions(instance_uuid, created_at, id) WHERE deleted = 0)sql",
          R"sql(CREATE INDEX instance_actions_instance_uuid_updated_at_idx
  ON instance_actions(instance_uuid, updated_at))sql",
          R"sql(CREATE INDEX request_id_idx ON instance_actions(request_id))sql",
          R"sql(CREATE TABLE instance_actions_events (
  created_at DATETIME, updated_at DATETIME, deleted_at DATETIME,
  id INTEGER PRIMARY KEY, event VARCHAR(255) NOT NULL,
  action_id INTEGER NOT NULL REFERENCES instance_actions(id),
  start_time DATETIME, finish_time DATETIME, result VARCHAR(255), traceback TEXT,
  deleted INTEGER NOT NULL DEFAULT 0, host VARCHAR(255), details TEXT,
  version INTEGER NOT NULL DEFAULT 1))sql",
          R"sql(CREATE INDEX instance_actions_events_action_idx
  ON instance_actions_events(action_id, created_at, id))sql",
          R"sql(CREATE UNIQUE INDEX instance_actions_events_identity_idx
  ON instance_actions_events(action_id, event, start_time) WHERE deleted = 0)sql",
          R"sql(CREATE UNIQUE INDEX instance_actions_events_open_idx
  ON instance_actions_events(action_id, event)
  WHERE finish_time IS NULL AND result IS NULL AND deleted = 0)sql",
          R"sql(CREATE TABLE change_log (
  seq INTEGER PRIMARY KEY, recorded_at DATETIME NOT NULL, actor_user TEXT NOT NULL,
  actor_project TEXT NOT NULL, actor_service TEXT NOT NULL, operation TEXT NOT NULL,
  entity TEXT NOT NULL, entity_id INTEGER NOT NULL, entity_version INTEGER NOT NULL,
  instance_uuid TEXT NOT NULL, request_id TEXT NOT NULL, event TEXT NOT NULL,
  row_image TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL))sql",
          R"sql(CREATE INDEX change_log_entity_idx ON change_log(entity, entity_id, seq))sql",
      },
      // 2: drop the two indexes kept from Nova's schema that no statement of this backend uses
      // (lookups by request id go through instance_actions_live_request_idx; list filters on
      // updated_at ride instance_actions_page_idx): each cost a WAL page on most writes.
      {
          R"sql(DROP INDEX IF EXISTS request_id_idx)sql",
          R"sql(DROP INDEX IF EXISTS instance_actions_instance_uuid_updated_at_idx)sql",
      },
      // 3: an event's entry also records its action's new image when the event write changed
      // the action, instead of a second entry for the action ('' in older entries).
      {
          R"sql(ALTER TABLE change_log ADD COLUMN parent_row TEXT NOT NULL DEFAULT '')sql",
      },
      // 4: PostgreSQL drops the (instance_uuid, updated_at) index that migration 2 dropped here;
      // nothing to change in SQLite, the schema version moves with the other backend's.
      {},
  };
  return kMigrations;
}

// One integer from a single-row query.
Result<std::int64_t> QueryInt(Connection& conn, std::string_view sql, std::string_view context) {
  ACTIONLOG_ASSIGN_OR_RETURN(StmtPtr stmt, conn.PrepareUncached(sql));
  const int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) {
    return SqliteError(conn.Handle(), rc, context);
  }
  return sqlite3_column_int64(stmt.get(), 0);
}

Result<int> ReadMetaVersion(Connection& conn) {
  ACTIONLOG_ASSIGN_OR_RETURN(
      StmtPtr stmt,
      conn.PrepareUncached("SELECT value FROM actionlog_meta WHERE key = 'schema_version'"));
  const int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) {
    return MakeError(ErrorCode::kDataLoss, "'" + conn.Path() +
                                               "' has an actionlog_meta table without a "
                                               "schema_version");
  }
  if (rc != SQLITE_ROW) {
    return SqliteError(conn.Handle(), rc, "reading the schema version");
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
  const std::string_view value = text != nullptr ? text : "";
  int version = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), version);
  if (ec != std::errc() || end != value.data() + value.size() || version < 1) {
    return MakeError(
        ErrorCode::kDataLoss,
        "'" + conn.Path() + "' records an invalid schema_version '" + std::string(value) + "'");
  }
  return version;
}

Result<int> InspectSchema(Connection& conn) {
  auto objects = QueryInt(conn, "SELECT count(*) FROM sqlite_schema", "reading the schema");
  if (!objects) {
    if (MapResultCode(sqlite3_extended_errcode(conn.Handle())) == ErrorCode::kDataLoss) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "'" + conn.Path() + "' is not an SQLite database (" + objects.error().message + ")");
    }
    return objects.error();
  }
  if (*objects == 0) {
    return 0;
  }
  ACTIONLOG_ASSIGN_OR_RETURN(const std::int64_t meta,
                             QueryInt(conn,
                                      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                      "name = 'actionlog_meta'",
                                      "reading the schema"));
  if (meta == 0) {
    return MakeError(ErrorCode::kUnsupported,
                     "'" + conn.Path() +
                         "' is an SQLite database but not an actionlog database (it has tables "
                         "but no actionlog_meta table); refusing to use or modify it");
  }
  return ReadMetaVersion(conn);
}

Status ApplyMigration(Connection& conn, int number, const Migration& migration) {
  const std::string context = "applying schema migration " + std::to_string(number);
  for (const std::string_view sql : migration) {
    ACTIONLOG_RETURN_IF_ERROR(conn.Exec(sql, context));
  }
  ACTIONLOG_ASSIGN_OR_RETURN(
      StmtPtr stmt, conn.PrepareUncached("INSERT OR REPLACE INTO actionlog_meta (key, value) "
                                         "VALUES ('schema_version', ?1)"));
  const std::string version = std::to_string(number);
  sqlite3_bind_text(stmt.get(), 1, version.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_DONE) {
    return SqliteError(conn.Handle(), rc, context);
  }
  return OkStatus();
}

// Applies migration `number` unless another upgrader already did.
Status ApplyOne(Connection& conn, int number) {
  ACTIONLOG_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE", "starting a schema migration"));
  Status status = [&]() -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const int current, InspectSchema(conn));
    if (current >= number) {
      return OkStatus();
    }
    if (current != number - 1) {
      return MakeError(ErrorCode::kInternal, "schema version " + std::to_string(current) +
                                                 " cannot take migration " +
                                                 std::to_string(number));
    }
    return ApplyMigration(conn, number, Migrations().at(static_cast<std::size_t>(number - 1)));
  }();
  if (!status) {
    (void)conn.Exec("ROLLBACK", "rolling back a schema migration");
    return status;
  }
  return conn.Exec("COMMIT", "committing schema migration " + std::to_string(number));
}

}  // namespace

int LatestMigration() { return static_cast<int>(Migrations().size()); }

Result<int> ReadSchemaVersion(Connection& conn) { return InspectSchema(conn); }

Status ApplyMigrations(Connection& conn) {
  ACTIONLOG_ASSIGN_OR_RETURN(const int current, InspectSchema(conn));
  if (current > LatestMigration()) {
    return CheckSchemaVersion(current, false);
  }
  for (int number = current + 1; number <= LatestMigration(); ++number) {
    ACTIONLOG_RETURN_IF_ERROR(ApplyOne(conn, number));
  }
  return OkStatus();
}

}  // namespace actionlog::store::sqlite
