// The journal: every operation on instances, actions and events, with the integrity rules.
//
// Each write validates its input, then runs all its checks and changes in one Store::Write
// transaction, appending one hash-chained change-log entry per changed row in that same
// transaction. The rules (docs/architecture.md, "Rules"):
//   - identity: an action is (instance_uuid, request_id); an event is (action, event, start_time);
//     a replay of an identical record is an idempotent success, a different record under the
//     same identity is kConflict;
//   - state: an event name still open in an action cannot be started again; finishing twice with
//     the same outcome is idempotent, with another outcome kConflict; updated_at never moves back;
//   - versions: an update that names the version it read fails with kConflict if the row moved.
//
// Errors: kInvalidArgument (bad input), kNotFound, kConflict, kFailedPrecondition, and the
// store's kUnavailable / kDataLoss / kInternal. Thread-safe: share one Journal between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actionlog/core/error.hpp"
#include "actionlog/core/types.hpp"
#include "actionlog/store/store.hpp"

namespace actionlog {

// Fields are validated: UUIDs in canonical 8-4-4-4-12 form; ids and names at most 255 bytes of
// valid UTF-8 without control characters; tracebacks at most kMaxTracebackBytes.
inline constexpr std::size_t kMaxFieldBytes = 255;
inline constexpr std::size_t kMaxDetailsBytes = 255;  // longer details are cut on a UTF-8 boundary
inline constexpr std::size_t kMaxTracebackBytes = 65535;

struct InstanceSpec {
  std::string uuid;
  std::string project_id;
  std::optional<std::string> user_id;
  std::optional<std::string> host;
  std::optional<std::string> display_name;
  std::optional<std::int64_t> expected_version;  // optimistic concurrency for updates
};

struct StartActionSpec {
  std::string instance_uuid;
  std::string request_id;
  std::string action;
  std::string user_id;
  std::string project_id;
  std::optional<Timestamp> start_time;  // default: now
};

struct FinishActionSpec {
  std::string instance_uuid;
  std::string request_id;
  std::optional<Timestamp> finish_time;  // default: now
  std::optional<std::int64_t> expected_version;
};

struct StartEventSpec {
  std::string instance_uuid;
  std::string request_id;
  std::string event;
  std::optional<std::string> host;
  std::optional<Timestamp> start_time;  // default: now
};

struct FinishEventSpec {
  std::string instance_uuid;
  std::string request_id;
  std::string event;
  std::string result;  // "Success" or "Error"
  std::optional<std::string> details;
  std::optional<std::string> traceback;
  std::optional<Timestamp> finish_time;  // default: now
  std::optional<std::int64_t> expected_version;
};

struct ListActionsSpec {
  std::string instance_uuid;
  std::optional<std::int64_t> limit;
  std::optional<std::string> marker;  // request id of the last action of the previous page
  std::optional<Timestamp> changes_since;
  std::optional<Timestamp> changes_before;
};

// The outcome of a write that may be an idempotent replay.
template <class T>
struct Written {
  T record;
  bool created = false;  // false: the identical record already existed (or nothing changed)
  // An existing record was brought forward (CloneMode::kAdvance), or a clone of an action
  // with its events added events to a stored action.
  bool advanced = false;
};

// CloneActionWithEvents's outcome: the whole record's (created: a row was inserted; advanced:
// a stored row was brought forward or the stored action gained events), and its events' one by
// one; the events not counted here were already stored as they are.
struct ClonedAction : Written<ActionWithEvents> {
  int events_created = 0;
  int events_advanced = 0;
};

// What a clone does with a record whose identity is already stored.
enum class CloneMode {
  // The stored record must be identical (a no-op), else kConflict: the journal API's clone.
  kExact,
  // The stored record may also be an earlier state of the clone, which then brings it forward
  // as the journal's own transitions would (an import repeated while Nova kept recording):
  // an action or event that finished since, an action whose message became "Error", new events,
  // an instance whose host, name, user or deletion changed, each with a later updated_at.
  // Every other difference (another action name, start time, project, a finished record that
  // finished differently, an updated_at that went back) is still kConflict.
  kAdvance,
};

struct VerifyReport {
  bool ok = true;
  std::int64_t entries_checked = 0;
  std::int64_t rows_checked = 0;
  std::optional<std::int64_t> first_bad_seq;  // the first change-log entry that does not match
  std::string problem;                        // human-readable description of the first problem
};

// Reads that must agree with each other, made in one snapshot of the store: an instance and its
// actions, or an instance and one action with its events, as one request needs them.
class JournalReader {
 public:
  // kNotFound when no instance has this uuid (live or soft-deleted).
  Result<Instance> GetInstance(std::string_view uuid);
  // The semantics of Journal::GetAction and Journal::ListActions below.
  Result<ActionWithEvents> GetAction(std::string_view instance_uuid, std::string_view request_id);
  Result<std::vector<Action>> ListActions(const ListActionsSpec& spec);

 private:
  friend class Journal;

  explicit JournalReader(store::ReadTransaction& tx) : tx_(tx) {}

  store::ReadTransaction& tx_;
};

// Which snapshot a Journal's reads (GetAction, ListActions, Read, Verify, ...) use when its store
// serves reads from a replica (StoreOptions::read_url): kReadDatabase, the replica (Store::Read;
// it may lag behind acknowledged writes), or kPrimary (Store::ReadLatest: read-your-writes).
// Without a replica both are the same. Writes always run on the primary.
enum class ReadFrom { kReadDatabase, kPrimary };

class Journal {
 public:
  explicit Journal(std::shared_ptr<store::Store> store, ReadFrom reads = ReadFrom::kReadDatabase);

  // Instances. Registering an existing uuid updates it (created = false); a different owning
  // project is kConflict. Delete is a soft delete; a deleted instance's actions stay readable.
  Result<Written<Instance>> PutInstance(const Actor& actor, const InstanceSpec& in);
  Result<Instance> DeleteInstance(const Actor& actor, std::string_view uuid);
  Result<Instance> GetInstance(std::string_view uuid);

  // Actions and events: the operations Nova's compute services perform.
  Result<Written<Action>> StartAction(const Actor& actor, const StartActionSpec& in);
  Result<Written<Action>> FinishAction(const Actor& actor, const FinishActionSpec& in);
  Result<Written<Event>> StartEvent(const Actor& actor, const StartEventSpec& in);
  Result<Written<Event>> FinishEvent(const Actor& actor, const FinishEventSpec& in);

  // Reads, ordered as Nova orders them (created_at DESC, id DESC). GetAction: kNotFound when the
  // action does not exist. ListActions does not look the instance up (an unknown instance has no
  // actions); a marker that names no live action of the instance is kInvalidArgument; limit 0
  // returns nothing; a negative limit is kInvalidArgument.
  Result<ActionWithEvents> GetAction(std::string_view instance_uuid, std::string_view request_id);
  Result<std::vector<Action>> ListActions(const ListActionsSpec& spec);
  Result<std::vector<Event>> ListEvents(std::string_view instance_uuid,
                                        std::string_view request_id);

  // Runs `fn` with a reader over one consistent snapshot; returns fn's status or a store error.
  // fn may run more than once (after a transient store failure), so it only reads and fills its
  // own captured outputs.
  Status Read(const std::function<Status(JournalReader&)>& fn);

  // Clone: create a complete record as it exists elsewhere (Nova's create(), import). ids are
  // preserved when given (non-zero) and free. An existing identical record is a no-op
  // (created = false); a different one under the same identity is kConflict, unless `mode` is
  // kAdvance and the stored record is an earlier state of it (then advanced = true).
  Result<Written<Action>> CloneAction(const Actor& actor, const Action& in);
  Result<Written<Event>> CloneEvent(const Actor& actor, std::string_view instance_uuid,
                                    std::string_view request_id, const Event& in);
  // An action and its events in one transaction: all or nothing.
  Result<ClonedAction> CloneActionWithEvents(const Actor& actor, const ActionWithEvents& in,
                                             CloneMode mode = CloneMode::kExact);
  // An instance exactly as it exists elsewhere (import); identical re-import is a no-op.
  Result<Written<Instance>> CloneInstance(const Actor& actor, const Instance& instance,
                                          CloneMode mode = CloneMode::kExact);

  // Walks the change log and the hash chain, then checks every row against its newest entry.
  Result<VerifyReport> Verify();

  store::Store& store() { return *store_; }  // NOLINT(readability-identifier-naming)

 private:
  Status StoreRead(const store::ReadFn& fn);

  std::shared_ptr<store::Store> store_;
  ReadFrom reads_;
};

}  // namespace actionlog
