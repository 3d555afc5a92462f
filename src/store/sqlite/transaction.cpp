#include "store/sqlite/transaction.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "store/sqlite/rows.hpp"

namespace actionlog::store::sqlite {
namespace {

constexpr int kIdParam = 1;

Status CheckLimit(std::int64_t limit, std::string_view what) {
  if (limit < 0) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        std::string(what) + ": limit must not be negative, got " + std::to_string(limit));
  }
  return OkStatus();
}

// Collects every result row of `stmt` with `read`.
template <class Row, class ReadFn>
Result<std::vector<Row>> Collect(Statement& stmt, ReadFn read, std::string_view context) {
  std::vector<Row> rows;
  for (;;) {
    ACTIONLOG_ASSIGN_OR_RETURN(const bool has_row, stmt.Step(context));
    if (!has_row) {
      return rows;
    }
    ACTIONLOG_RETURN_IF_ERROR(read(stmt, rows.emplace_back()));
  }
}

// The single result row of `stmt`, if any.
template <class Row, class ReadFn>
Result<std::optional<Row>> First(Statement& stmt, ReadFn read, std::string_view context) {
  ACTIONLOG_ASSIGN_OR_RETURN(const bool has_row, stmt.Step(context));
  if (!has_row) {
    return std::optional<Row>();
  }
  std::optional<Row> row(std::in_place);
  ACTIONLOG_RETURN_IF_ERROR(read(stmt, *row));
  return row;
}

constexpr std::string_view kListContext = "listing actions";
// A page's rows are reserved up front up to this many (a limit is a cap, not a promise).
constexpr std::int64_t kReserveRows = 1000;

// Which ListActions variant `query` needs; kInvalidArgument for a bad limit or marker.
Result<Marker> PageMarker(const ActionPageQuery& query) {
  if (query.limit.has_value()) {
    ACTIONLOG_RETURN_IF_ERROR(CheckLimit(*query.limit, kListContext));
  }
  if (!query.after_id.has_value()) {
    if (query.after_created_at.has_value()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "listing actions: a marker created_at needs the marker id too");
    }
    return Marker::kNone;
  }
  return query.after_created_at.has_value() ? Marker::kValue : Marker::kNull;
}

template <class Row, class ReadFn>
Result<std::vector<Row>> Scan(Connection& conn, StmtId id, std::int64_t after_id, int limit,
                              ReadFn read, std::string_view context) {
  ACTIONLOG_RETURN_IF_ERROR(CheckLimit(limit, context));
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn.Get(id));
  stmt.BindInt(1, after_id);
  stmt.BindInt(2, limit);
  return Collect<Row>(stmt, read, context);
}

}  // namespace

Result<std::optional<Instance>> SqliteTransaction::GetInstance(std::string_view uuid) {
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(StmtId::kGetInstance));
  stmt.BindText(1, uuid);
  return First<Instance>(stmt, ReadInstance, "reading instance");
}

Result<std::optional<Action>> SqliteTransaction::GetAction(std::string_view instance_uuid,
                                                           std::string_view request_id) {
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(StmtId::kGetAction));
  stmt.BindText(1, instance_uuid);
  stmt.BindText(2, request_id);
  return First<Action>(stmt, ReadAction, "reading action");
}

// Rows with a null created_at sort after every other row (SQLite orders NULL lowest), so a
// page that starts at a non-null marker continues into them once the dated rows run out.
Result<std::vector<Action>> SqliteTransaction::ListActions(const ActionPageQuery& query) {
  ACTIONLOG_ASSIGN_OR_RETURN(const Marker marker, PageMarker(query));
  const std::int64_t limit = query.limit.value_or(-1);
  std::vector<Action> rows;
  if (limit == 0) {
    return rows;
  }
  ACTIONLOG_RETURN_IF_ERROR(ListPage(query, marker, limit, query.after_id.value_or(0), rows));
  const auto got = static_cast<std::int64_t>(rows.size());
  if (marker == Marker::kValue && (limit < 0 || got < limit)) {
    ACTIONLOG_RETURN_IF_ERROR(ListPage(query, Marker::kNull, limit < 0 ? -1 : limit - got,
                                       std::numeric_limits<std::int64_t>::max(), rows));
  }
  return rows;
}

Status SqliteTransaction::ListPage(const ActionPageQuery& query, Marker marker, std::int64_t limit,
                                   std::int64_t after_id, std::vector<Action>& out) {
  const bool since = query.changes_since.has_value();
  const bool before = query.changes_before.has_value();
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(ListActionsStmt(marker, since, before)));
  stmt.BindText(1, std::string_view(query.instance_uuid));
  stmt.BindTime(2, query.after_created_at);
  stmt.BindInt(3, after_id);
  stmt.BindTime(4, query.changes_since);
  stmt.BindTime(5, query.changes_before);
  stmt.BindInt(6, limit);
  if (limit > 0) {
    out.reserve(out.size() + static_cast<std::size_t>(std::min<std::int64_t>(limit, kReserveRows)));
  }
  for (;;) {
    ACTIONLOG_ASSIGN_OR_RETURN(const bool has_row, stmt.Step(kListContext));
    if (!has_row) {
      return OkStatus();
    }
    ACTIONLOG_RETURN_IF_ERROR(ReadAction(stmt, out.emplace_back()));
  }
}

Result<std::vector<Event>> SqliteTransaction::ListEvents(std::int64_t action_id) {
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(StmtId::kListEvents));
  stmt.BindInt(1, action_id);
  return Collect<Event>(stmt, ReadEvent, "listing events");
}

Result<std::vector<ChangeEntry>> SqliteTransaction::ReadChanges(std::int64_t after_seq, int limit) {
  constexpr std::string_view kContext = "reading the change log";
  ACTIONLOG_RETURN_IF_ERROR(CheckLimit(limit, kContext));
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(StmtId::kReadChanges));
  stmt.BindInt(1, after_seq);
  stmt.BindInt(2, limit);
  return Collect<ChangeEntry>(stmt, ReadChange, kContext);
}

Result<ChainHead> SqliteTransaction::GetChainHead() {
  constexpr std::string_view kContext = "reading the change log head";
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(StmtId::kChainHead));
  ACTIONLOG_ASSIGN_OR_RETURN(const bool has_row, stmt.Step(kContext));
  if (!has_row) {
    return ChainHead{0, std::string(64, '0')};
  }
  return ChainHead{stmt.ColumnInt(0), stmt.ColumnText(1)};
}

Result<std::optional<ChangeEntry>> SqliteTransaction::LatestChangeFor(Entity entity,
                                                                      std::int64_t id) {
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(StmtId::kLatestChange));
  stmt.BindText(1, EntityName(entity));
  stmt.BindInt(2, id);
  return First<ChangeEntry>(stmt, ReadChange, "reading the change log");
}

Result<std::optional<ChangeEntry>> SqliteTransaction::LatestParentChangeFor(
    std::int64_t action_id) {
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(StmtId::kLatestParentChange));
  stmt.BindInt(1, action_id);
  return First<ChangeEntry>(stmt, ReadChange, "reading the change log");
}

Result<std::int64_t> SqliteTransaction::CountLoggedEntities(Entity entity) {
  constexpr std::string_view kContext = "counting logged rows";
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(StmtId::kCountLogged));
  stmt.BindText(1, EntityName(entity));
  ACTIONLOG_ASSIGN_OR_RETURN(const bool has_row, stmt.Step(kContext));
  return has_row ? stmt.ColumnInt(0) : 0;
}

Result<std::vector<Instance>> SqliteTransaction::ScanInstances(std::int64_t after_id, int limit) {
  return Scan<Instance>(conn_, StmtId::kScanInstances, after_id, limit, ReadInstance,
                        "scanning instances");
}

Result<std::vector<Action>> SqliteTransaction::ScanActions(std::int64_t after_id, int limit) {
  return Scan<Action>(conn_, StmtId::kScanActions, after_id, limit, ReadAction, "scanning actions");
}

Result<std::vector<Event>> SqliteTransaction::ScanEvents(std::int64_t after_id, int limit) {
  return Scan<Event>(conn_, StmtId::kScanEvents, after_id, limit, ReadEvent, "scanning events");
}

Result<std::vector<Event>> SqliteTransaction::FindEvents(std::int64_t action_id,
                                                         std::string_view event) {
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(StmtId::kFindEvents));
  stmt.BindInt(1, action_id);
  stmt.BindText(2, event);
  return Collect<Event>(stmt, ReadEvent, "finding events");
}

template <class Row>
Status SqliteTransaction::Insert(StmtId id, Row& row, std::string_view what) {
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(id));
  BindRow(stmt, row);
  ACTIONLOG_RETURN_IF_ERROR(stmt.Run(what));
  row.id = sqlite3_last_insert_rowid(conn_.Handle());
  return OkStatus();
}

template <class Row>
Status SqliteTransaction::Update(StmtId id, const Row& row, std::int64_t expected_version,
                                 int version_param, std::string_view what) {
  if (row.version != expected_version + 1) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(what) + " " + std::to_string(row.id) +
                                                      ": the new version must be " +
                                                      std::to_string(expected_version + 1) +
                                                      ", got " + std::to_string(row.version));
  }
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(id));
  BindRow(stmt, row);
  stmt.BindInt(kIdParam, row.id);
  stmt.BindInt(version_param, expected_version);
  ACTIONLOG_RETURN_IF_ERROR(stmt.Run(what));
  if (sqlite3_changes64(conn_.Handle()) == 0) {
    return MakeError(ErrorCode::kConflict,
                     std::string(what) + " " + std::to_string(row.id) +
                         ": the row was modified concurrently (expected version " +
                         std::to_string(expected_version) + ")");
  }
  return OkStatus();
}

Status SqliteTransaction::InsertInstance(Instance& row) {
  return Insert(StmtId::kInsertInstance, row, "inserting instance");
}

Status SqliteTransaction::InsertAction(Action& row) {
  return Insert(StmtId::kInsertAction, row, "inserting action");
}

Status SqliteTransaction::InsertEvent(Event& row) {
  return Insert(StmtId::kInsertEvent, row, "inserting event");
}

Status SqliteTransaction::UpdateInstance(const Instance& row, std::int64_t expected_version) {
  return Update(StmtId::kUpdateInstance, row, expected_version, 12, "updating instance");
}

Status SqliteTransaction::UpdateAction(const Action& row, std::int64_t expected_version) {
  return Update(StmtId::kUpdateAction, row, expected_version, 15, "updating action");
}

Status SqliteTransaction::UpdateEvent(const Event& row, std::int64_t expected_version) {
  return Update(StmtId::kUpdateEvent, row, expected_version, 15, "updating event");
}

Result<ChainHead> SqliteTransaction::LockChainHead() {
  // The write transaction began with BEGIN IMMEDIATE: the database is locked for writing.
  return GetChainHead();
}

Status SqliteTransaction::AppendChange(const ChangeEntry& entry) {
  ACTIONLOG_ASSIGN_OR_RETURN(Statement stmt, conn_.Get(StmtId::kAppendChange));
  BindRow(stmt, entry);
  return stmt.Run("appending to the change log");
}

}  // namespace actionlog::store::sqlite
