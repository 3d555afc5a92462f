#include "store/sqlite/errors.hpp"

#include <array>
#include <string>
#include <utility>

namespace actionlog::store::sqlite {
namespace {

// SQLite reports a unique violation by its columns; we name the index that holds them.
struct IndexColumns {
  std::string_view columns;
  std::string_view index;
};

constexpr std::array<IndexColumns, 6> kUniqueIndexes = {{
    {"instances.uuid", "instances_uuid_idx"},
    {"instance_actions.instance_uuid, instance_actions.request_id",
     "instance_actions_live_request_idx"},
    {"instance_actions_events.action_id, instance_actions_events.event, "
     "instance_actions_events.start_time",
     "instance_actions_events_identity_idx"},
    {"instance_actions_events.action_id, instance_actions_events.event",
     "instance_actions_events_open_idx"},
    {"change_log.seq", "change_log primary key"},
    {"actionlog_meta.key", "actionlog_meta primary key"},
}};

std::string_view UniqueIndexName(std::string_view message) {
  constexpr std::string_view kPrefix = "UNIQUE constraint failed: ";
  if (!message.starts_with(kPrefix)) {
    return {};
  }
  const std::string_view columns = message.substr(kPrefix.size());
  for (const IndexColumns& entry : kUniqueIndexes) {
    if (columns == entry.columns) {
      return entry.index;
    }
  }
  return {};
}

ErrorCode MapConstraint(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
      return ErrorCode::kConflict;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return ErrorCode::kFailedPrecondition;
    default:
      return ErrorCode::kInvalidArgument;
  }
}

}  // namespace

ErrorCode MapResultCode(int rc) {
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return ErrorCode::kOk;
    case SQLITE_CONSTRAINT:
      return MapConstraint(rc);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return ErrorCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ErrorCode::kDataLoss;
    default:
      return ErrorCode::kInternal;
  }
}

Error SqliteError(sqlite3* db, int rc, std::string_view context) {
  const std::string_view sqlite_message =
      db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message(context);
  message += ": ";
  message += sqlite_message;
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    const std::string_view index = UniqueIndexName(sqlite_message);
    if (!index.empty()) {
      message += " (index ";
      message += index;
      message += ")";
    }
  }
  return MakeError(MapResultCode(rc), std::move(message));
}

}  // namespace actionlog::store::sqlite
