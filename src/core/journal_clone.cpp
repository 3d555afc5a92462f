// Clone: write a complete record as it exists elsewhere (Nova's create(), import).
//
// Identity decides: an existing record with the same identity must be identical (then the clone
// is a no-op) or the clone is a conflict. A record is compared on every field the clone gives;
// ids given as 0 and created_at/updated_at left empty take the stored values. With
// CloneMode::kAdvance, a stored record that is an earlier state of the clone is brought forward
// instead (see CloneMode); the rules of what may move are the Advanced*() functions below.
#include <algorithm>

#include "actionlog/core/journal.hpp"
#include "journal_internal.hpp"
#include "validation.hpp"

namespace actionlog {

using internal::ChangeContext;

namespace {

template <class T>
bool SameIfGiven(const std::optional<T>& given, const std::optional<T>& stored) {
  return !given || given == stored;
}

bool SameInstance(const Instance& a, const Instance& stored) {
  return (a.id == 0 || a.id == stored.id) && a.project_id == stored.project_id &&
         a.user_id == stored.user_id && a.host == stored.host &&
         a.display_name == stored.display_name && SameIfGiven(a.created_at, stored.created_at) &&
         SameIfGiven(a.updated_at, stored.updated_at) && a.deleted_at == stored.deleted_at &&
         a.deleted == stored.deleted;
}

bool SameAction(const Action& a, const Action& stored) {
  return (a.id == 0 || a.id == stored.id) && a.action == stored.action &&
         a.user_id == stored.user_id && a.project_id == stored.project_id &&
         a.start_time == stored.start_time && a.finish_time == stored.finish_time &&
         a.message == stored.message && SameIfGiven(a.created_at, stored.created_at) &&
         SameIfGiven(a.updated_at, stored.updated_at);
}

bool SameEvent(const Event& e, const Event& stored) {
  return (e.id == 0 || e.id == stored.id) && e.event == stored.event &&
         e.start_time == stored.start_time && e.finish_time == stored.finish_time &&
         e.result == stored.result && e.traceback == stored.traceback && e.host == stored.host &&
         e.details == stored.details && SameIfGiven(e.created_at, stored.created_at) &&
         SameIfGiven(e.updated_at, stored.updated_at);
}

// A field that may only go from unset to set (a finish, an Error message, a host).
template <class T>
bool SetOrSame(const std::optional<T>& given, const std::optional<T>& stored) {
  return given == stored || !stored;
}

// updated_at may only move forward; a clone that gives none is stamped `now`.
bool NotOlder(const std::optional<Timestamp>& given, const std::optional<Timestamp>& stored) {
  return !given || !stored || *given >= *stored;
}

Error NotAnEarlierState(std::string what) {
  return MakeError(ErrorCode::kConflict,
                   std::move(what) + " (the stored record is not an earlier state of it)");
}

// `stored` brought forward to `in`: every field may change except the owning project and the
// creation; a deleted instance stays deleted.
Result<Instance> AdvancedInstance(const Instance& in, const Instance& stored, Timestamp now) {
  const bool ok = (in.id == 0 || in.id == stored.id) && in.project_id == stored.project_id &&
                  SameIfGiven(in.created_at, stored.created_at) &&
                  NotOlder(in.updated_at, stored.updated_at) &&
                  (stored.deleted == 0 || in.deleted != 0);
  if (!ok) {
    return NotAnEarlierState("instance " + in.uuid + " already exists with different fields");
  }
  Instance row = stored;
  row.user_id = in.user_id;
  row.host = in.host;
  row.display_name = in.display_name;
  row.deleted = in.deleted;
  row.deleted_at = in.deleted_at;
  row.updated_at = in.updated_at.value_or(now);
  return row;
}

// `stored` brought forward to `in`: a finish time and an Error message may appear.
Result<Action> AdvancedAction(const Action& in, const Action& stored, Timestamp now) {
  const bool ok =
      (in.id == 0 || in.id == stored.id) && in.action == stored.action &&
      in.user_id == stored.user_id && in.project_id == stored.project_id &&
      in.start_time == stored.start_time && SameIfGiven(in.created_at, stored.created_at) &&
      SetOrSame(in.finish_time, stored.finish_time) && SetOrSame(in.message, stored.message) &&
      NotOlder(in.updated_at, stored.updated_at);
  if (!ok) {
    return NotAnEarlierState("request " + in.request_id + " on instance " + in.instance_uuid +
                             " already holds a different action");
  }
  Action row = stored;
  row.finish_time = in.finish_time;
  row.message = in.message;
  row.updated_at = in.updated_at.value_or(now);
  return row;
}

// `stored` brought forward to `in`: an open event may finish (time, result, traceback and
// details together) and a missing host may appear.
Result<Event> AdvancedEvent(const Event& in, const Event& stored, const Action& action,
                            Timestamp now) {
  const bool same_finish = in.finish_time == stored.finish_time && in.result == stored.result &&
                           in.traceback == stored.traceback && in.details == stored.details;
  const bool ok = (in.id == 0 || in.id == stored.id) && in.event == stored.event &&
                  in.start_time == stored.start_time &&
                  SameIfGiven(in.created_at, stored.created_at) &&
                  SetOrSame(in.host, stored.host) && (same_finish || !stored.IsFinished()) &&
                  NotOlder(in.updated_at, stored.updated_at);
  if (!ok) {
    return NotAnEarlierState("event " + in.event + " started at " + FormatApiTime(*in.start_time) +
                             " of request " + action.request_id +
                             " already holds a different record");
  }
  Event row = stored;
  row.host = in.host;
  row.finish_time = in.finish_time;
  row.result = in.result;
  row.traceback = in.traceback;
  row.details = in.details;
  row.updated_at = in.updated_at.value_or(now);
  return row;
}

Result<Instance> NormalizeInstance(const Instance& in) {
  ACTIONLOG_RETURN_IF_ERROR(validation::CompleteInstance(in));
  Instance row = in;
  ACTIONLOG_ASSIGN_OR_RETURN(row.uuid, validation::Uuid("uuid", in.uuid));
  return row;
}

Result<Action> NormalizeAction(const Action& in) {
  ACTIONLOG_RETURN_IF_ERROR(validation::CompleteAction(in));
  Action row = in;
  ACTIONLOG_ASSIGN_OR_RETURN(row.instance_uuid,
                             validation::Uuid("instance_uuid", in.instance_uuid));
  return row;
}

// Clones one action inside `tx`; `out` tells whether a row was inserted or brought forward.
Status CloneActionIn(store::WriteTransaction& tx, const ChangeContext& ctx, CloneMode mode,
                     const Action& in, Written<Action>& out) {
  ACTIONLOG_ASSIGN_OR_RETURN(const Instance instance,
                             internal::RequireInstance(tx, in.instance_uuid));
  if (instance.deleted_at && in.start_time && *in.start_time > *instance.deleted_at) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "action " + in.request_id + " starts after its instance was deleted");
  }
  ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Action> existing,
                             tx.GetAction(in.instance_uuid, in.request_id));
  if (existing) {
    if (SameAction(in, *existing)) {
      out = {std::move(*existing), false, false};
      return OkStatus();
    }
    if (mode != CloneMode::kAdvance) {
      return MakeError(ErrorCode::kConflict, "request " + in.request_id + " on instance " +
                                                 in.instance_uuid +
                                                 " already holds a different action");
    }
    ACTIONLOG_ASSIGN_OR_RETURN(Action row, AdvancedAction(in, *existing, ctx.now));
    ACTIONLOG_RETURN_IF_ERROR(
        internal::SaveAction(tx, ctx, internal::kOpActionAdvance, *existing, row));
    out = {std::move(row), false, true};
    return OkStatus();
  }
  Action row = in;
  row.created_at = in.created_at.value_or(ctx.now);
  row.version = 1;
  ACTIONLOG_RETURN_IF_ERROR(tx.InsertAction(row));
  ACTIONLOG_RETURN_IF_ERROR(internal::LogChange(tx, ctx, internal::kOpActionClone, row));
  out = {std::move(row), true, false};
  return OkStatus();
}

// Clones one event of `action` inside `tx`.
Status CloneEventIn(store::WriteTransaction& tx, const ChangeContext& ctx, CloneMode mode,
                    const Action& action, const Event& in, Written<Event>& out) {
  if (in.action_id != 0 && in.action_id != action.id) {
    return MakeError(ErrorCode::kInvalidArgument, "event " + in.event + " names action id " +
                                                      std::to_string(in.action_id) +
                                                      " but request " + action.request_id +
                                                      " is action id " + std::to_string(action.id));
  }
  ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Event> same_name,
                             tx.FindEvents(action.id, in.event));
  for (const Event& e : same_name) {
    if (e.start_time == in.start_time) {
      if (SameEvent(in, e)) {
        out = {e, false, false};
        return OkStatus();
      }
      if (mode != CloneMode::kAdvance) {
        return MakeError(ErrorCode::kConflict, "event " + in.event + " started at " +
                                                   FormatApiTime(*in.start_time) + " of request " +
                                                   action.request_id +
                                                   " already holds a different record");
      }
      ACTIONLOG_ASSIGN_OR_RETURN(Event row, AdvancedEvent(in, e, action, ctx.now));
      row.version = e.version + 1;
      ACTIONLOG_RETURN_IF_ERROR(tx.UpdateEvent(row, e.version));
      ACTIONLOG_RETURN_IF_ERROR(
          internal::LogChange(tx, ctx, internal::kOpEventAdvance, row, action, false));
      out = {std::move(row), false, true};
      return OkStatus();
    }
    if (!e.IsFinished() && !in.IsFinished()) {
      return MakeError(ErrorCode::kConflict, "event " + in.event + " of request " +
                                                 action.request_id + " is already open");
    }
  }
  Event row = in;
  row.action_id = action.id;
  row.created_at = in.created_at.value_or(ctx.now);
  row.version = 1;
  ACTIONLOG_RETURN_IF_ERROR(tx.InsertEvent(row));
  ACTIONLOG_RETURN_IF_ERROR(
      internal::LogChange(tx, ctx, internal::kOpEventClone, row, action, false));
  out = {std::move(row), true, false};
  return OkStatus();
}

// Events in the order they were recorded (ids when given, else creation time).
std::vector<Event> InRecordedOrder(std::vector<Event> events) {
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.id != 0 && b.id != 0) {
      return a.id < b.id;
    }
    return a.created_at < b.created_at;
  });
  return events;
}

}  // namespace

Result<Written<Instance>> Journal::CloneInstance(const Actor& actor, const Instance& in,
                                                 CloneMode mode) {
  ACTIONLOG_ASSIGN_OR_RETURN(const Instance instance, NormalizeInstance(in));
  const ChangeContext ctx{actor, Clock::Default().Now()};
  Written<Instance> out;
  bool lost_insert_race = false;
  const auto clone = [&](store::WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Instance> existing, tx.GetInstance(instance.uuid));
    if (existing) {
      if (SameInstance(instance, *existing)) {
        out = {std::move(*existing), false, false};
        return OkStatus();
      }
      if (mode != CloneMode::kAdvance) {
        return MakeError(ErrorCode::kConflict,
                         "instance " + instance.uuid + " already exists with different fields");
      }
      ACTIONLOG_ASSIGN_OR_RETURN(Instance row, AdvancedInstance(instance, *existing, ctx.now));
      row.version = existing->version + 1;
      ACTIONLOG_RETURN_IF_ERROR(tx.UpdateInstance(row, existing->version));
      ACTIONLOG_RETURN_IF_ERROR(internal::LogChange(tx, ctx, internal::kOpInstanceAdvance, row));
      out = {std::move(row), false, true};
      return OkStatus();
    }
    Instance row = instance;
    row.created_at = instance.created_at.value_or(ctx.now);
    row.version = 1;
    ACTIONLOG_RETURN_IF_ERROR(internal::InsertCheckedInstance(tx, row, lost_insert_race));
    ACTIONLOG_RETURN_IF_ERROR(internal::LogChange(tx, ctx, internal::kOpInstanceClone, row));
    out = {std::move(row), true, false};
    return OkStatus();
  };
  ACTIONLOG_RETURN_IF_ERROR(internal::WriteRetryingInsertRace(*store_, clone, lost_insert_race));
  return out;
}

Result<Written<Action>> Journal::CloneAction(const Actor& actor, const Action& in) {
  ACTIONLOG_ASSIGN_OR_RETURN(const Action action, NormalizeAction(in));
  const ChangeContext ctx{actor, Clock::Default().Now()};
  Written<Action> out;
  ACTIONLOG_RETURN_IF_ERROR(store_->Write([&](store::WriteTransaction& tx) -> Status {
    return CloneActionIn(tx, ctx, CloneMode::kExact, action, out);
  }));
  return out;
}

Result<Written<Event>> Journal::CloneEvent(const Actor& actor, std::string_view instance_uuid,
                                           std::string_view request_id, const Event& in) {
  ACTIONLOG_ASSIGN_OR_RETURN(const std::string uuid,
                             validation::Uuid("instance_uuid", instance_uuid));
  ACTIONLOG_RETURN_IF_ERROR(validation::CompleteEvent(in));
  const ChangeContext ctx{actor, Clock::Default().Now()};
  Written<Event> out;
  ACTIONLOG_RETURN_IF_ERROR(store_->Write([&](store::WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const Action action, internal::RequireAction(tx, uuid, request_id));
    // A clone copies records, it never changes another one: a failed event whose action is not
    // marked failed is an inconsistent record, refused as CloneActionWithEvents refuses it.
    if (in.result == kResultError && action.message != kMessageError) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "event " + in.event + " failed but action " + action.request_id +
                           " has no Error message: the record is inconsistent");
    }
    return CloneEventIn(tx, ctx, CloneMode::kExact, action, in, out);
  }));
  return out;
}

Result<ClonedAction> Journal::CloneActionWithEvents(const Actor& actor, const ActionWithEvents& in,
                                                    CloneMode mode) {
  ACTIONLOG_ASSIGN_OR_RETURN(const Action action, NormalizeAction(in.action));
  for (const Event& e : in.events) {
    ACTIONLOG_RETURN_IF_ERROR(validation::CompleteEvent(e));
    if (e.result == kResultError && action.message != kMessageError) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "event " + e.event + " failed but action " + action.request_id +
                           " has no Error message: the record is inconsistent");
    }
  }
  const std::vector<Event> events = InRecordedOrder(in.events);
  const ChangeContext ctx{actor, Clock::Default().Now()};
  ClonedAction out;
  ACTIONLOG_RETURN_IF_ERROR(store_->Write([&](store::WriteTransaction& tx) -> Status {
    out = {};
    Written<Action> action_out;
    ACTIONLOG_RETURN_IF_ERROR(CloneActionIn(tx, ctx, mode, action, action_out));
    out.record.action = std::move(action_out.record);
    out.created = action_out.created;
    out.advanced = action_out.advanced;
    for (const Event& e : events) {
      Written<Event> event_out;
      ACTIONLOG_RETURN_IF_ERROR(CloneEventIn(tx, ctx, mode, out.record.action, e, event_out));
      out.events_created += event_out.created ? 1 : 0;
      out.events_advanced += event_out.advanced ? 1 : 0;
      // A new event of a stored action adds to that action: a row is created (kExact reports
      // it so), and the stored record is brought forward.
      out.advanced =
          out.advanced || event_out.advanced || (event_out.created && !action_out.created);
      out.created = out.created || event_out.created;
    }
    ACTIONLOG_ASSIGN_OR_RETURN(out.record.events, tx.ListEvents(out.record.action.id));
    return OkStatus();
  }));
  return out;
}

}  // namespace actionlog
