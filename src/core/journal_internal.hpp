// Helpers shared by the journal's translation units (journal.cpp, journal_clone.cpp,
// journal_verify.cpp). Everything here runs inside a Store transaction.
#pragma once

#include <string>
#include <string_view>

#include "actionlog/core/change_log.hpp"
#include "actionlog/core/journal.hpp"
#include "actionlog/store/store.hpp"

namespace actionlog::internal {

// Change-log operation names (stable: they are hashed into the chain).
inline constexpr std::string_view kOpInstanceCreate = "instance.create";
inline constexpr std::string_view kOpInstanceUpdate = "instance.update";
inline constexpr std::string_view kOpInstanceDelete = "instance.delete";
inline constexpr std::string_view kOpInstanceClone = "instance.clone";
inline constexpr std::string_view kOpActionStart = "action.start";
inline constexpr std::string_view kOpActionFinish = "action.finish";
// An action changed by an event write, as an entry of its own. Databases written before schema 3
// hold such entries; newer writes record that change in the event's entry (parent_row).
inline constexpr std::string_view kOpActionUpdate = "action.update";
inline constexpr std::string_view kOpActionClone = "action.clone";
inline constexpr std::string_view kOpEventStart = "event.start";
inline constexpr std::string_view kOpEventFinish = "event.finish";
inline constexpr std::string_view kOpEventClone = "event.clone";
inline constexpr std::string_view kOpInstanceAdvance = "instance.advance";
inline constexpr std::string_view kOpActionAdvance = "action.advance";
inline constexpr std::string_view kOpEventAdvance = "event.advance";

// Everything a change-log entry needs besides the row.
struct ChangeContext {
  const Actor& actor;
  Timestamp now;
};

// Appends one entry describing `row` (after its change) to the chain, in `tx`.
Status LogChange(store::WriteTransaction& tx, const ChangeContext& ctx, std::string_view operation,
                 const Instance& row);
Status LogChange(store::WriteTransaction& tx, const ChangeContext& ctx, std::string_view operation,
                 const Action& row);
// An event's entry names its action (`parent`); when the write also changed that action
// (`parent_changed`: the caller updated it with UpdateParent first), the entry records the
// action's new image too, so one entry covers both rows.
Status LogChange(store::WriteTransaction& tx, const ChangeContext& ctx, std::string_view operation,
                 const Event& row, const Action& parent, bool parent_changed);

// The instance, or kNotFound.
Result<Instance> RequireInstance(store::ReadTransaction& tx, std::string_view uuid);
// The live action, or kNotFound with Nova's message.
Result<Action> RequireAction(store::ReadTransaction& tx, std::string_view instance_uuid,
                             std::string_view request_id);
// The live action, locked, with its events named `event` (any state, oldest first), or
// kNotFound as RequireAction.
Result<store::ActionAndEvents> RequireActionAndEvents(store::WriteTransaction& tx,
                                                      std::string_view instance_uuid,
                                                      std::string_view request_id,
                                                      std::string_view event);

// Moves an action's updated_at forward to `t` (never back) and marks it failed when `failed`.
// Returns true when the row changed (then the caller writes it with UpdateParent).
bool TouchAction(Action& action, std::optional<Timestamp> t, bool failed);

// Writes an action whose fields were changed from `before` and logs it as `operation`.
Status SaveAction(store::WriteTransaction& tx, const ChangeContext& ctx, std::string_view operation,
                  const Action& before, Action& after);

// Writes an action changed by an event write (TouchAction), without an entry of its own: the
// event's entry records it (LogChange with parent_changed).
Status UpdateParent(store::WriteTransaction& tx, const Action& before, Action& after);

// Inserts a new instance; `lost_race` tells whether the insert failed with kConflict, i.e. a
// concurrent writer inserted the same uuid after this transaction found it absent (PostgreSQL's
// parallel writers do not lock a row that does not exist yet).
Status InsertCheckedInstance(store::WriteTransaction& tx, Instance& row, bool& lost_race);

// Runs `fn` in a write transaction; if it failed because it lost such an insert race, runs it
// once more, so it finds the winner's row (an idempotent replay or a real conflict) as if the
// two writers had run one after the other.
Status WriteRetryingInsertRace(store::Store& store, const store::WriteFn& fn, bool& lost_race);

std::string Quote(std::string_view value);

}  // namespace actionlog::internal
