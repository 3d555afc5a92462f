#include "store/sqlite/sql.hpp"

#include <array>
#include <string>

namespace actionlog::store::sqlite {
namespace {

#define ACTIONLOG_SQL_INSTANCE_COLUMNS                                                      \
  "id, created_at, updated_at, deleted_at, uuid, project_id, user_id, host, display_name, " \
  "deleted, version"
#define ACTIONLOG_SQL_ACTION_COLUMNS                                                     \
  "id, created_at, updated_at, deleted_at, action, instance_uuid, request_id, user_id, " \
  "project_id, start_time, finish_time, message, deleted, version"
#define ACTIONLOG_SQL_EVENT_COLUMNS                                                     \
  "id, created_at, updated_at, deleted_at, event, action_id, start_time, finish_time, " \
  "result, traceback, deleted, host, details, version"
#define ACTIONLOG_SQL_CHANGE_COLUMNS                                                          \
  "seq, recorded_at, actor_user, actor_project, actor_service, operation, entity, "           \
  "entity_id, entity_version, instance_uuid, request_id, event, row_image, prev_hash, hash, " \
  "parent_row"

constexpr std::array<std::string_view, Index(StmtId::kListActionsFirst)> kFixedSql = {
    "BEGIN",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT job",
    "RELEASE job",
    "ROLLBACK TO job",
    "SELECT " ACTIONLOG_SQL_INSTANCE_COLUMNS " FROM instances WHERE uuid = ?1",
    "SELECT " ACTIONLOG_SQL_ACTION_COLUMNS
    " FROM instance_actions WHERE instance_uuid = ?1 AND request_id = ?2 AND deleted = 0",
    "SELECT " ACTIONLOG_SQL_EVENT_COLUMNS
    " FROM instance_actions_events WHERE action_id = ?1 AND deleted = 0"
    " ORDER BY created_at DESC, id DESC",
    "SELECT " ACTIONLOG_SQL_EVENT_COLUMNS
    " FROM instance_actions_events WHERE action_id = ?1 AND event = ?2"
    " ORDER BY id ASC",
    "SELECT " ACTIONLOG_SQL_CHANGE_COLUMNS " FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    "SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1",
    "SELECT " ACTIONLOG_SQL_CHANGE_COLUMNS
    " FROM change_log WHERE entity = ?1 AND entity_id = ?2"
    " ORDER BY seq DESC LIMIT 1",
    // The action's images that its events' entries recorded: through the events' action index,
    // then each event's entries on change_log_entity_idx.
    "SELECT " ACTIONLOG_SQL_CHANGE_COLUMNS
    " FROM change_log WHERE entity = 'event' AND entity_id IN"
    " (SELECT id FROM instance_actions_events WHERE action_id = ?1) AND parent_row != ''"
    " ORDER BY seq DESC LIMIT 1",
    "SELECT COUNT(DISTINCT entity_id) FROM change_log WHERE entity = ?1",
    "SELECT " ACTIONLOG_SQL_INSTANCE_COLUMNS " FROM instances WHERE id > ?1 ORDER BY id LIMIT ?2",
    "SELECT " ACTIONLOG_SQL_ACTION_COLUMNS
    " FROM instance_actions WHERE id > ?1 ORDER BY id LIMIT ?2",
    "SELECT " ACTIONLOG_SQL_EVENT_COLUMNS
    " FROM instance_actions_events WHERE id > ?1 ORDER BY id LIMIT ?2",
    "INSERT INTO instances (" ACTIONLOG_SQL_INSTANCE_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11)",
    "INSERT INTO instance_actions (" ACTIONLOG_SQL_ACTION_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
    " ?9, ?10, ?11, ?12, ?13, ?14)",
    "INSERT INTO instance_actions_events (" ACTIONLOG_SQL_EVENT_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
    " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    // Updates set only the columns the journal changes (identity and creation columns never
    // change), so SQLite leaves the indexes on the other columns alone.
    "UPDATE instances SET updated_at = ?3, deleted_at = ?4,"
    " user_id = ?7, host = ?8, display_name = ?9, deleted = ?10, version = ?11"
    " WHERE id = ?1 AND version = ?12",
    "UPDATE instance_actions SET updated_at = ?3,"
    " finish_time = ?11, message = ?12, version = ?14"
    " WHERE id = ?1 AND version = ?15",
    "UPDATE instance_actions_events SET updated_at = ?3,"
    " finish_time = ?8, result = ?9,"
    " traceback = ?10, details = ?13, version = ?14"
    " WHERE id = ?1 AND version = ?15",
    "INSERT INTO change_log (" ACTIONLOG_SQL_CHANGE_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
};

constexpr std::size_t kMarkerKinds = 3;

std::string BuildListActionsSql(std::size_t variant) {
  const auto marker = static_cast<Marker>(variant % kMarkerKinds);
  const std::size_t filters = variant / kMarkerKinds;
  std::string sql = "SELECT " ACTIONLOG_SQL_ACTION_COLUMNS
                    " FROM instance_actions WHERE instance_uuid = ?1 AND deleted = 0";
  if (marker == Marker::kValue) {
    sql += " AND (created_at, id) < (?2, ?3)";
  } else if (marker == Marker::kNull) {
    sql += " AND created_at IS NULL AND id < ?3";
  }
  // The unary + keeps the planner on instance_actions_page_idx (no sort) for updated_at.
  if ((filters & 1U) != 0) {
    sql += " AND +updated_at >= ?4";
  }
  if ((filters & 2U) != 0) {
    sql += " AND +updated_at <= ?5";
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT ?6";
  return sql;
}

#undef ACTIONLOG_SQL_INSTANCE_COLUMNS
#undef ACTIONLOG_SQL_ACTION_COLUMNS
#undef ACTIONLOG_SQL_EVENT_COLUMNS
#undef ACTIONLOG_SQL_CHANGE_COLUMNS

}  // namespace

std::size_t ListActionsStmt(Marker marker, bool since, bool before) {
  const std::size_t filters = (since ? 1U : 0U) | (before ? 2U : 0U);
  return Index(StmtId::kListActionsFirst) + filters * kMarkerKinds +
         static_cast<std::size_t>(marker);
}

std::string_view StatementSql(std::size_t id) {
  if (id < kFixedSql.size()) {
    return kFixedSql.at(id);
  }
  static const std::array<std::string, kListActionsVariants> kListSql = [] {
    std::array<std::string, kListActionsVariants> sql;
    for (std::size_t i = 0; i < sql.size(); ++i) {
      sql.at(i) = BuildListActionsSql(i);
    }
    return sql;
  }();
  return kListSql.at(id - kFixedSql.size());
}

}  // namespace actionlog::store::sqlite
