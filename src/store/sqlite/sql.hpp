// The SQL text of every statement the SQLite backend runs, by id. Each connection prepares a
// statement once, on first use, and reuses it (see Connection::Get). User data is always bound
// as a parameter, never pasted into SQL. Thread-safe: the texts are immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace actionlog::store::sqlite {

enum class StmtId : std::uint8_t {
  kBegin,
  kBeginImmediate,
  kCommit,
  kRollback,
  kSavepoint,
  kRelease,
  kRollbackTo,
  kGetInstance,
  kGetAction,
  kListEvents,
  kFindEvents,
  kReadChanges,
  kChainHead,
  kLatestChange,
  kLatestParentChange,
  kCountLogged,
  kScanInstances,
  kScanActions,
  kScanEvents,
  kInsertInstance,
  kInsertAction,
  kInsertEvent,
  kUpdateInstance,
  kUpdateAction,
  kUpdateEvent,
  kAppendChange,
  kListActionsFirst,  // kListActionsVariants statements follow, see ListActionsStmt
};

// Where a ListActions page starts.
enum class Marker : std::uint8_t {
  kNone,   // from the newest action
  kValue,  // after (created_at, id) with a non-null created_at
  kNull,   // after (NULL, id): only rows with a null created_at (they sort last)
};

inline constexpr std::size_t kListActionsVariants = 12;
inline constexpr std::size_t kStmtCount =
    static_cast<std::size_t>(StmtId::kListActionsFirst) + kListActionsVariants;

// Parameters of every ListActions variant: ?1 instance_uuid, ?2 marker created_at, ?3 marker id,
// ?4 changes_since, ?5 changes_before, ?6 limit (-1 for none). Unused ones may stay unbound.
std::size_t ListActionsStmt(Marker marker, bool since, bool before);

std::string_view StatementSql(std::size_t id);

constexpr std::size_t Index(StmtId id) { return static_cast<std::size_t>(id); }

}  // namespace actionlog::store::sqlite
