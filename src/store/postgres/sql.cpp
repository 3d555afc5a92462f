#include "store/postgres/sql.hpp"

#include <array>
#include <string>

namespace actionlog::store::postgres {
namespace {

#define ACTIONLOG_PG_INSTANCE_COLUMNS                                                       \
  "id, created_at, updated_at, deleted_at, uuid, project_id, user_id, host, display_name, " \
  "deleted, version"
#define ACTIONLOG_PG_ACTION_COLUMNS                                                      \
  "id, created_at, updated_at, deleted_at, action, instance_uuid, request_id, user_id, " \
  "project_id, start_time, finish_time, message, deleted, version"
#define ACTIONLOG_PG_EVENT_COLUMNS                                                      \
  "id, created_at, updated_at, deleted_at, event, action_id, start_time, finish_time, " \
  "result, traceback, deleted, host, details, version"
#define ACTIONLOG_PG_CHANGE_COLUMNS                                                           \
  "seq, recorded_at, actor_user, actor_project, actor_service, operation, entity, "           \
  "entity_id, entity_version, instance_uuid, request_id, event, row_image, prev_hash, hash, " \
  "parent_row"

// Parameter lists in column order; $1 is always the id.
#define ACTIONLOG_PG_INSTANCE_VALUES                                                      \
  "$2::timestamp, $3::timestamp, $4::timestamp, $5::text, $6::text, $7::text, $8::text, " \
  "$9::text, $10::bigint, $11::bigint"
#define ACTIONLOG_PG_ACTION_VALUES                                                        \
  "$2::timestamp, $3::timestamp, $4::timestamp, $5::text, $6::text, $7::text, $8::text, " \
  "$9::text, $10::timestamp, $11::timestamp, $12::text, $13::bigint, $14::bigint"
#define ACTIONLOG_PG_EVENT_VALUES                                                      \
  "$2::timestamp, $3::timestamp, $4::timestamp, $5::text, $6::bigint, $7::timestamp, " \
  "$8::timestamp, $9::text, $10::text, $11::bigint, $12::text, $13::text, $14::bigint"

// An insert that lets the identity column pick the id ($1 is sent but unused), and one that
// keeps the caller's id and moves the identity sequence past it so later default ids never
// collide. ON CONFLICT DO NOTHING turns a unique violation into "no row returned" without
// aborting the transaction, so the journal can go on and read the row that holds the identity.
#define ACTIONLOG_PG_INSERTS(table, columns_without_id, values)          \
  "INSERT INTO " table " (" columns_without_id ") SELECT " values        \
  " WHERE $1::bigint IS NOT NULL ON CONFLICT DO NOTHING RETURNING id",   \
      "WITH ins AS (INSERT INTO " table " (id, " columns_without_id      \
      ") VALUES ($1::bigint, " values                                    \
      ") ON CONFLICT DO NOTHING RETURNING id) SELECT id, setval('" table \
      "_id_seq', greatest(id, (SELECT last_value FROM " table "_id_seq))) FROM ins"

constexpr std::array<std::string_view, Index(StmtId::kListActionsFirst)> kFixedSql = {
    "SELECT " ACTIONLOG_PG_INSTANCE_COLUMNS " FROM instances WHERE uuid = $1::text",
    "SELECT " ACTIONLOG_PG_ACTION_COLUMNS
    " FROM instance_actions WHERE instance_uuid = $1::text AND request_id = $2::text"
    " AND deleted = 0",
    "SELECT " ACTIONLOG_PG_EVENT_COLUMNS
    " FROM instance_actions_events WHERE action_id = $1::bigint AND deleted = 0"
    " ORDER BY created_at DESC NULLS LAST, id DESC",
    "SELECT " ACTIONLOG_PG_EVENT_COLUMNS
    " FROM instance_actions_events WHERE action_id = $1::bigint AND event = $2::text"
    " ORDER BY id ASC",
    "SELECT " ACTIONLOG_PG_INSTANCE_COLUMNS
    " FROM instances WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint",
    "SELECT " ACTIONLOG_PG_ACTION_COLUMNS
    " FROM instance_actions WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint",
    "SELECT " ACTIONLOG_PG_EVENT_COLUMNS
    " FROM instance_actions_events WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint",
    "SELECT " ACTIONLOG_PG_CHANGE_COLUMNS
    " FROM change_log WHERE seq > $1::bigint ORDER BY seq LIMIT $2::bigint",
    "SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1",
    "SELECT " ACTIONLOG_PG_CHANGE_COLUMNS
    " FROM change_log WHERE entity = $1::text AND entity_id = $2::bigint"
    " ORDER BY seq DESC LIMIT 1",
    // The action's images that its events' entries recorded (see the SQLite backend).
    "SELECT " ACTIONLOG_PG_CHANGE_COLUMNS
    " FROM change_log WHERE entity = 'event' AND entity_id IN"
    " (SELECT id FROM instance_actions_events WHERE action_id = $1::bigint)"
    " AND parent_row <> '' ORDER BY seq DESC LIMIT 1",
    "SELECT count(DISTINCT entity_id) FROM change_log WHERE entity = $1::text",
    ACTIONLOG_PG_INSERTS("instances",
                         "created_at, updated_at, deleted_at, uuid, project_id, user_id, host, "
                         "display_name, deleted, version",
                         ACTIONLOG_PG_INSTANCE_VALUES),
    ACTIONLOG_PG_INSERTS("instance_actions",
                         "created_at, updated_at, deleted_at, action, instance_uuid, request_id, "
                         "user_id, project_id, start_time, finish_time, message, deleted, version",
                         ACTIONLOG_PG_ACTION_VALUES),
    ACTIONLOG_PG_INSERTS("instance_actions_events",
                         "created_at, updated_at, deleted_at, event, action_id, start_time, "
                         "finish_time, result, traceback, deleted, host, details, version",
                         ACTIONLOG_PG_EVENT_VALUES),
    // Updates set only the columns the journal changes (identity and creation columns never
    // change), as on SQLite; parameters from UpdateParams (rows.hpp).
    "UPDATE instances SET updated_at = $2::timestamp, deleted_at = $3::timestamp,"
    " user_id = $4::text, host = $5::text, display_name = $6::text, deleted = $7::bigint,"
    " version = $8::bigint WHERE id = $1::bigint AND version = $9::bigint",
    "UPDATE instance_actions SET updated_at = $2::timestamp, finish_time = $3::timestamp,"
    " message = $4::text, version = $5::bigint WHERE id = $1::bigint AND version = $6::bigint",
    "UPDATE instance_actions_events SET updated_at = $2::timestamp, finish_time = $3::timestamp,"
    " result = $4::text, traceback = $5::text, details = $6::text, version = $7::bigint"
    " WHERE id = $1::bigint AND version = $8::bigint",
    "INSERT INTO change_log (" ACTIONLOG_PG_CHANGE_COLUMNS
    ") VALUES ($1::bigint, $2::timestamp, $3::text, $4::text, $5::text, $6::text, $7::text,"
    " $8::bigint, $9::bigint, $10::text, $11::text, $12::text, $13::text, $14::text, $15::text,"
    " $16::text)",
    // The entry after the head this transaction sees (the writer holds the chain lock):
    // hash = SHA-256(prev_hash || '{"seq":' || seq || the rest of the canonical bytes), which is
    // ChainHash of change_log.hpp, as the canonical bytes begin with the seq field.
    "INSERT INTO change_log (" ACTIONLOG_PG_CHANGE_COLUMNS
    ") SELECT h.seq + 1, $2::timestamp, $3::text, $4::text, $5::text, $6::text, $7::text,"
    " $8::bigint, $9::bigint, $10::text, $11::text, $12::text, $13::text, h.hash,"
    " encode(sha256(convert_to(h.hash || '{\"seq\":' || (h.seq + 1)::text, 'UTF8') || $1::bytea),"
    " 'hex'), $14::text FROM (SELECT 0::bigint AS seq, repeat('0', 64) AS hash UNION ALL"
    " (SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1) ORDER BY seq DESC LIMIT 1) AS h",
    // kGetAction then kFindEvents, both locking, in one round trip: one row per event (the
    // action's columns, then the event's), or one row with null event columns when there is
    // none.
    "WITH a AS (SELECT " ACTIONLOG_PG_ACTION_COLUMNS
    " FROM instance_actions WHERE instance_uuid = $1::text AND request_id = $2::text"
    " AND deleted = 0 FOR NO KEY UPDATE)"
    " SELECT a.*, e.* FROM a LEFT JOIN LATERAL (SELECT " ACTIONLOG_PG_EVENT_COLUMNS
    " FROM instance_actions_events WHERE action_id = a.id AND event = $3::text"
    " ORDER BY id ASC FOR NO KEY UPDATE) AS e ON true ORDER BY e.id ASC",
};

constexpr std::size_t kMarkerKinds = 3;

std::string BuildListActionsSql(std::size_t variant) {
  const auto marker = static_cast<Marker>(variant % kMarkerKinds);
  const std::size_t filters = variant / kMarkerKinds;
  // Every variant mentions all six parameters so that all of them have a type.
  std::string sql = "SELECT " ACTIONLOG_PG_ACTION_COLUMNS
                    " FROM instance_actions WHERE instance_uuid = $1::text AND deleted = 0";
  if (marker == Marker::kValue) {
    sql += " AND (created_at, id) < ($2::timestamp, $3::bigint)";
  } else if (marker == Marker::kNull) {
    sql += " AND created_at IS NULL AND id < $3::bigint AND $2::timestamp IS NULL";
  } else {
    sql += " AND $2::timestamp IS NULL AND $3::bigint IS NULL";
  }
  sql += (filters & 1U) != 0 ? " AND updated_at >= $4::timestamp" : " AND $4::timestamp IS NULL";
  sql += (filters & 2U) != 0 ? " AND updated_at <= $5::timestamp" : " AND $5::timestamp IS NULL";
  sql += " ORDER BY created_at DESC NULLS LAST, id DESC LIMIT $6::bigint";
  return sql;
}

#undef ACTIONLOG_PG_INSERTS
#undef ACTIONLOG_PG_INSTANCE_VALUES
#undef ACTIONLOG_PG_ACTION_VALUES
#undef ACTIONLOG_PG_EVENT_VALUES
#undef ACTIONLOG_PG_INSTANCE_COLUMNS
#undef ACTIONLOG_PG_ACTION_COLUMNS
#undef ACTIONLOG_PG_EVENT_COLUMNS
#undef ACTIONLOG_PG_CHANGE_COLUMNS

}  // namespace

std::size_t ListActionsStmt(Marker marker, bool since, bool before) {
  const std::size_t filters = (since ? 1U : 0U) | (before ? 2U : 0U);
  return Index(StmtId::kListActionsFirst) + filters * kMarkerKinds +
         static_cast<std::size_t>(marker);
}

bool IsLockable(std::size_t id) {
  return id <= Index(StmtId::kScanEvents) || id >= Index(StmtId::kListActionsFirst);
}

std::string StatementSql(std::size_t id, bool lock) {
  std::string sql = id < kFixedSql.size() ? std::string(kFixedSql.at(id))
                                          : BuildListActionsSql(id - kFixedSql.size());
  if (lock && IsLockable(id)) {
    sql += " FOR NO KEY UPDATE";
  }
  return sql;
}

}  // namespace actionlog::store::postgres
