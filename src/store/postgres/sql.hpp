// The SQL text of every statement the PostgreSQL backend prepares, by id. Each connection
// prepares a statement once, on first use (Connection::Exec), and reuses it. User data is always
// sent as a binary parameter, never pasted into SQL: each parameter carries an explicit cast
// ($1::bigint, $2::text, $3::timestamp) that fixes its type and so its binary format.
// Thread-safe: the texts are immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace actionlog::store::postgres {

enum class StmtId : std::uint8_t {
  kGetInstance,
  kGetAction,
  kListEvents,
  kFindEvents,
  kScanInstances,
  kScanActions,
  kScanEvents,
  kReadChanges,
  kChainHead,
  kLatestChange,
  kLatestParentChange,
  kCountLogged,
  kInsertInstance,
  kInsertInstanceWithId,
  kInsertAction,
  kInsertActionWithId,
  kInsertEvent,
  kInsertEventWithId,
  kUpdateInstance,
  kUpdateAction,
  kUpdateEvent,
  kAppendChange,
  kSealChange,  // appends after the current head, computing seq, prev_hash and hash (see writer)
  kGetActionAndEvents,  // write transactions only: locks the action, then its events of a name
  kListActionsFirst,    // kListActionsVariants statements follow, see ListActionsStmt
};

// Where a ListActions page starts (rows with a null created_at sort last, as on SQLite).
enum class Marker : std::uint8_t {
  kNone,   // from the newest action
  kValue,  // after (created_at, id) with a non-null created_at
  kNull,   // after (NULL, id): only rows with a null created_at
};

inline constexpr std::size_t kListActionsVariants = 12;
inline constexpr std::size_t kStmtCount =
    static_cast<std::size_t>(StmtId::kListActionsFirst) + kListActionsVariants;

constexpr std::size_t Index(StmtId id) { return static_cast<std::size_t>(id); }

// Parameters of every ListActions variant: $1 instance_uuid, $2 marker created_at, $3 marker
// id, $4 changes_since, $5 changes_before, $6 limit (NULL for none). All six are always sent.
std::size_t ListActionsStmt(Marker marker, bool since, bool before);

// The SQL of statement `id`; with `lock`, the row-locking variant used by write transactions
// (FOR NO KEY UPDATE) where the statement returns table rows, else the plain one.
std::string StatementSql(std::size_t id, bool lock);

// Whether statement `id` has a distinct row-locking variant.
bool IsLockable(std::size_t id);

}  // namespace actionlog::store::postgres
