// The storage interface: rows in, rows out, inside transactions.
//
// A Store knows tables, indexes and transactions; it knows none of the journal's rules. The
// rules (duplicate checks, state transitions, the hash chain) live in core/journal, which runs
// them inside Store::Write so that every check and every change of one operation commit together.
//
// Backends: SQLite (src/store/sqlite) and PostgreSQL (src/store/postgres), chosen by URL in
// OpenStore (open_store.hpp). Every backend passes tests/store/store_conformance_test.cpp.
//
// Thread-safety: a Store is safe to use from any number of threads. Transactions are not: a
// transaction object is used only inside the callback it was passed to, on that thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actionlog/core/error.hpp"
#include "actionlog/core/types.hpp"

namespace actionlog::store {

// The newest schema this binary knows. Migrations are numbered 1..kSchemaVersion.
inline constexpr int kSchemaVersion = 4;

// Keyset page of an instance's live actions, newest first (created_at DESC, id DESC).
struct ActionPageQuery {
  std::string instance_uuid;
  std::optional<std::int64_t> limit;  // no limit when empty
  // Exclusive keyset marker: only rows strictly after (created_at, id) in the order above.
  std::optional<Timestamp> after_created_at;
  std::optional<std::int64_t> after_id;
  std::optional<Timestamp> changes_since;   // updated_at >= changes_since
  std::optional<Timestamp> changes_before;  // updated_at <= changes_before
};

// A live action and those of its events that carry one name (WriteTransaction::GetActionAndEvents).
struct ActionAndEvents {
  Action action;
  std::vector<Event> events;  // any state, oldest first
};

struct ChainHead {
  std::int64_t seq = 0;  // 0 when the log is empty
  std::string hash;      // prev_hash for the next entry; 64 '0' when the log is empty
};

enum class Entity : std::uint8_t { kInstance, kAction, kEvent };

std::string_view EntityName(Entity entity);

// Reads. In a read transaction every read sees one consistent snapshot.
class ReadTransaction {
 public:
  virtual ~ReadTransaction() = default;

  // The instance with this uuid, live or soft-deleted.
  virtual Result<std::optional<Instance>> GetInstance(std::string_view uuid) = 0;
  // The live action (deleted = 0) of this instance with this request id.
  virtual Result<std::optional<Action>> GetAction(std::string_view instance_uuid,
                                                  std::string_view request_id) = 0;
  virtual Result<std::vector<Action>> ListActions(const ActionPageQuery& query) = 0;
  // Live events of an action, newest first (created_at DESC, id DESC).
  virtual Result<std::vector<Event>> ListEvents(std::int64_t action_id) = 0;

  // Change log access, for verify and for streaming changes from a cursor.
  virtual Result<std::vector<ChangeEntry>> ReadChanges(std::int64_t after_seq, int limit) = 0;
  virtual Result<ChainHead> GetChainHead() = 0;
  // The newest change-log entry written for one row, if any.
  virtual Result<std::optional<ChangeEntry>> LatestChangeFor(Entity entity, std::int64_t id) = 0;
  // The newest entry of any event of this action that also recorded the action's image
  // (a non-empty parent_row), if any.
  virtual Result<std::optional<ChangeEntry>> LatestParentChangeFor(std::int64_t action_id) = 0;
  // Number of distinct rows of this kind that the change log mentions.
  virtual Result<std::int64_t> CountLoggedEntities(Entity entity) = 0;

  // Full scans in id order, for verify and export: rows with id > after_id, at most `limit`.
  virtual Result<std::vector<Instance>> ScanInstances(std::int64_t after_id, int limit) = 0;
  virtual Result<std::vector<Action>> ScanActions(std::int64_t after_id, int limit) = 0;
  virtual Result<std::vector<Event>> ScanEvents(std::int64_t after_id, int limit) = 0;
};

// Writes. Reads made through a WriteTransaction lock what they return until commit (the whole
// database on SQLite, the rows on PostgreSQL).
class WriteTransaction : public ReadTransaction {
 public:
  // All events of an action with this name, any state, oldest first.
  virtual Result<std::vector<Event>> FindEvents(std::int64_t action_id, std::string_view event) = 0;

  // GetAction, then FindEvents of that action (nothing when there is no live action). A backend
  // whose reads are round trips overrides it with one statement.
  virtual Result<std::optional<ActionAndEvents>> GetActionAndEvents(std::string_view instance_uuid,
                                                                    std::string_view request_id,
                                                                    std::string_view event) {
    ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Action> action, GetAction(instance_uuid, request_id));
    if (!action) {
      return std::optional<ActionAndEvents>();
    }
    ActionAndEvents out{std::move(*action), {}};
    ACTIONLOG_ASSIGN_OR_RETURN(out.events, FindEvents(out.action.id, event));
    return std::optional<ActionAndEvents>(std::move(out));
  }

  // Inserts set row.id. A unique-index violation is kConflict.
  virtual Status InsertInstance(Instance& row) = 0;
  virtual Status InsertAction(Action& row) = 0;
  virtual Status InsertEvent(Event& row) = 0;

  // Update the row with row.id whose version is `expected_version` (row.version must be
  // expected_version + 1). kConflict when no such row/version. Only the columns the journal
  // changes are written: instances' updated_at, deleted_at, user_id, host, display_name, deleted;
  // actions' updated_at, finish_time, message; events' updated_at, finish_time, result,
  // traceback, details (and version). A backend may skip the others; verify would report a row
  // that differs from its change-log image.
  virtual Status UpdateInstance(const Instance& row, std::int64_t expected_version) = 0;
  virtual Status UpdateAction(const Action& row, std::int64_t expected_version) = 0;
  virtual Status UpdateEvent(const Event& row, std::int64_t expected_version) = 0;

  // The head of the chain to append after, reserved for this transaction until commit. It may be
  // provisional: a backend may take the chain's order only when it commits and then give the
  // transaction's entries their final seq, prev_hash and hash (recomputed with ChainHash, in
  // append order, after the committed head). The committed chain is linear either way; callers
  // must not rely on an entry's seq or hash before the write returned.
  virtual Result<ChainHead> LockChainHead() = 0;
  // Appends an entry whose seq, prev_hash and hash the caller computed from LockChainHead() (and
  // from the entries it appended since).
  virtual Status AppendChange(const ChangeEntry& entry) = 0;
};

enum class Durability : std::uint8_t {
  kFull,    // acknowledged writes survive power loss (default)
  kNormal,  // acknowledged writes survive a process crash, maybe not power loss (SQLite WAL
            // synchronous=NORMAL); an explicit, documented opt-in
};

struct StoreOptions {
  std::string url;  // sqlite:///path/to/file.db, sqlite://:memory:, postgresql://...
  Durability durability = Durability::kFull;
  // Apply migrations to an empty database on open. A database with an older schema is never
  // upgraded implicitly: it needs `actionlog db upgrade` (Store::Upgrade).
  bool create_if_empty = true;
  // Open even if the schema is older than this binary (only for `db upgrade` itself).
  bool allow_old_schema = false;
  int read_connections = 4;  // SQLite reader pool size / PostgreSQL pool size
  int max_batch = 256;       // the most operations group commit puts in one transaction
  // OpenStore only: a second database that serves Store::Read, e.g. a PostgreSQL hot standby of
  // `url` (Nova's `[database] slave_connection`). Writes, the reads inside them, SchemaVersion
  // and Upgrade stay on `url`. Reads may then lag behind acknowledged writes. Empty: none.
  std::string read_url;
  // Open for reads only: never creates or upgrades the schema; Write and Upgrade fail with
  // kUnsupported; a PostgreSQL store opens no writer connections (a standby accepts it).
  bool read_only = false;
};

using ReadFn = std::function<Status(ReadTransaction&)>;
using WriteFn = std::function<Status(WriteTransaction&)>;

class Store {
 public:
  virtual ~Store() = default;

  // Runs `fn` in a read-only snapshot transaction. Returns fn's status, or a store error.
  virtual Status Read(const ReadFn& fn) = 0;

  // Read on a snapshot that holds every write acknowledged before the call. The same as Read
  // unless Read is served by a replica (StoreOptions::read_url): then it reads the primary.
  virtual Status ReadLatest(const ReadFn& fn) { return Read(fn); }

  // Runs `fn` in a write transaction and returns once its changes are durable, or failed.
  // Concurrent calls may share one physical transaction and one sync (group commit); each call
  // is isolated from the others: when fn returns an error, exactly its own changes are undone.
  // fn may run more than once (e.g. after a serialization failure), so it must only write
  // through the transaction and to its own captured outputs.
  virtual Status Write(const WriteFn& fn) = 0;

  // Schema version of the open database (0 for an empty database).
  virtual Result<int> SchemaVersion() = 0;
  // Applies all pending migrations, each in one transaction. Idempotent.
  virtual Status Upgrade() = 0;

  virtual std::string_view Backend() const = 0;  // "sqlite" or "postgresql"
};

}  // namespace actionlog::store
