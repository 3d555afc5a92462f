#include "actionlog/core/journal.hpp"

#include <algorithm>
#include <utility>

#include "journal_internal.hpp"
#include "validation.hpp"

namespace actionlog {
namespace internal {
namespace {

Status Append(store::WriteTransaction& tx, ChangeEntry entry) {
  ACTIONLOG_ASSIGN_OR_RETURN(store::ChainHead head, tx.LockChainHead());
  entry.seq = head.seq + 1;
  entry.prev_hash = std::move(head.hash);
  entry.hash = ChainHash(entry.prev_hash, entry);
  return tx.AppendChange(entry);
}

ChangeEntry Entry(const ChangeContext& ctx, std::string_view operation, store::Entity entity) {
  ChangeEntry e;
  e.recorded_at = ctx.now;
  e.actor_user = ctx.actor.user_id;
  e.actor_project = ctx.actor.project_id;
  e.actor_service = ctx.actor.service;
  e.operation = std::string(operation);
  e.entity = std::string(store::EntityName(entity));
  return e;
}

Error ActionNotFound(std::string_view instance_uuid, std::string_view request_id) {
  return MakeError(ErrorCode::kNotFound, "Action for request_id " + std::string(request_id) +
                                             " on instance " + std::string(instance_uuid) +
                                             " not found");
}

}  // namespace

Status LogChange(store::WriteTransaction& tx, const ChangeContext& ctx, std::string_view operation,
                 const Instance& row) {
  ChangeEntry e = Entry(ctx, operation, store::Entity::kInstance);
  e.entity_id = row.id;
  e.entity_version = row.version;
  e.instance_uuid = row.uuid;
  e.row = RowImage(row);
  return Append(tx, std::move(e));
}

Status LogChange(store::WriteTransaction& tx, const ChangeContext& ctx, std::string_view operation,
                 const Action& row) {
  ChangeEntry e = Entry(ctx, operation, store::Entity::kAction);
  e.entity_id = row.id;
  e.entity_version = row.version;
  e.instance_uuid = row.instance_uuid;
  e.request_id = row.request_id;
  e.row = RowImage(row);
  return Append(tx, std::move(e));
}

Status LogChange(store::WriteTransaction& tx, const ChangeContext& ctx, std::string_view operation,
                 const Event& row, const Action& parent, bool parent_changed) {
  ChangeEntry e = Entry(ctx, operation, store::Entity::kEvent);
  e.entity_id = row.id;
  e.entity_version = row.version;
  e.instance_uuid = parent.instance_uuid;
  e.request_id = parent.request_id;
  e.event = row.event;
  e.row = RowImage(row);
  if (parent_changed) {
    e.parent_row = RowImage(parent);
  }
  return Append(tx, std::move(e));
}

std::string Quote(std::string_view value) {
  return "'" + validation::TruncateUtf8(value, 300) + "'";
}

Result<Instance> RequireInstance(store::ReadTransaction& tx, std::string_view uuid) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Instance> instance, tx.GetInstance(uuid));
  if (!instance) {
    return MakeError(ErrorCode::kNotFound,
                     "Instance " + std::string(uuid) + " could not be found.");
  }
  return std::move(*instance);
}

Result<Action> RequireAction(store::ReadTransaction& tx, std::string_view instance_uuid,
                             std::string_view request_id) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Action> action, tx.GetAction(instance_uuid, request_id));
  if (!action) {
    return ActionNotFound(instance_uuid, request_id);
  }
  return std::move(*action);
}

Result<store::ActionAndEvents> RequireActionAndEvents(store::WriteTransaction& tx,
                                                      std::string_view instance_uuid,
                                                      std::string_view request_id,
                                                      std::string_view event) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::optional<store::ActionAndEvents> found,
                             tx.GetActionAndEvents(instance_uuid, request_id, event));
  if (!found) {
    return ActionNotFound(instance_uuid, request_id);
  }
  return std::move(*found);
}

bool TouchAction(Action& action, std::optional<Timestamp> t, bool failed) {
  bool changed = false;
  if (t && (!action.updated_at || *action.updated_at < *t)) {
    action.updated_at = t;
    changed = true;
  }
  if (failed && action.message != kMessageError) {
    action.message = std::string(kMessageError);
    changed = true;
  }
  return changed;
}

Status InsertCheckedInstance(store::WriteTransaction& tx, Instance& row, bool& lost_race) {
  Status inserted = tx.InsertInstance(row);
  lost_race = !inserted && inserted.error().code == ErrorCode::kConflict;
  return inserted;
}

Status WriteRetryingInsertRace(store::Store& store, const store::WriteFn& fn, bool& lost_race) {
  lost_race = false;
  Status written = store.Write(fn);
  if (!written && lost_race) {
    lost_race = false;
    written = store.Write(fn);
  }
  return written;
}

Status SaveAction(store::WriteTransaction& tx, const ChangeContext& ctx, std::string_view operation,
                  const Action& before, Action& after) {
  after.version = before.version + 1;
  ACTIONLOG_RETURN_IF_ERROR(tx.UpdateAction(after, before.version));
  return LogChange(tx, ctx, operation, after);
}

Status UpdateParent(store::WriteTransaction& tx, const Action& before, Action& after) {
  after.version = before.version + 1;
  return tx.UpdateAction(after, before.version);
}

}  // namespace internal

using internal::ChangeContext;

namespace {

Status CheckVersion(std::string_view what, std::int64_t actual,
                    const std::optional<std::int64_t>& expected) {
  if (expected && *expected != actual) {
    return MakeError(ErrorCode::kConflict,
                     std::string(what) + " is at version " + std::to_string(actual) + ", not " +
                         std::to_string(*expected) + ": it changed since it was read");
  }
  return OkStatus();
}

// The key every action operation names: a canonical instance UUID and a request id.
Status ValidateActionKey(std::string& instance_uuid, std::string_view request_id) {
  ACTIONLOG_ASSIGN_OR_RETURN(instance_uuid, validation::Uuid("instance_uuid", instance_uuid));
  return validation::Name("request_id", request_id);
}

Status CheckFinishAfterStart(std::string_view what, Timestamp finish,
                             const std::optional<Timestamp>& start) {
  if (start && finish < *start) {
    return MakeError(ErrorCode::kInvalidArgument, "finish_time " + FormatApiTime(finish) +
                                                      " is before the " + std::string(what) +
                                                      "'s start_time " + FormatApiTime(*start));
  }
  return OkStatus();
}

Result<InstanceSpec> ValidateInstance(const InstanceSpec& in) {
  InstanceSpec spec = in;
  ACTIONLOG_ASSIGN_OR_RETURN(spec.uuid, validation::Uuid("uuid", in.uuid));
  ACTIONLOG_RETURN_IF_ERROR(validation::Name("project_id", spec.project_id));
  ACTIONLOG_RETURN_IF_ERROR(validation::OptionalName("user_id", spec.user_id));
  ACTIONLOG_RETURN_IF_ERROR(validation::OptionalName("host", spec.host));
  if (spec.display_name) {
    ACTIONLOG_RETURN_IF_ERROR(validation::Text("display_name", *spec.display_name, kMaxFieldBytes));
  }
  return spec;
}

// Applies the optional fields of `spec` to `row`; true when anything changed.
bool ApplyInstanceSpec(const InstanceSpec& spec, Instance& row) {
  bool changed = false;
  auto set = [&](std::optional<std::string>& field, const std::optional<std::string>& value) {
    if (value && field != value) {
      field = value;
      changed = true;
    }
  };
  set(row.user_id, spec.user_id);
  set(row.host, spec.host);
  set(row.display_name, spec.display_name);
  return changed;
}

Status PutExistingInstance(store::WriteTransaction& tx, const ChangeContext& ctx,
                           const InstanceSpec& spec, const Instance& existing,
                           Written<Instance>& out) {
  if (existing.IsDeleted()) {
    return MakeError(ErrorCode::kConflict, "instance " + spec.uuid + " is deleted");
  }
  if (existing.project_id != spec.project_id) {
    return MakeError(ErrorCode::kConflict, "instance " + spec.uuid + " belongs to project " +
                                               existing.project_id.value_or("(none)") +
                                               "; its owning project cannot change");
  }
  ACTIONLOG_RETURN_IF_ERROR(
      CheckVersion("instance " + spec.uuid, existing.version, spec.expected_version));
  Instance row = existing;
  if (!ApplyInstanceSpec(spec, row)) {
    out = {existing, false};
    return OkStatus();
  }
  row.updated_at = ctx.now;
  row.version = existing.version + 1;
  ACTIONLOG_RETURN_IF_ERROR(tx.UpdateInstance(row, existing.version));
  ACTIONLOG_RETURN_IF_ERROR(internal::LogChange(tx, ctx, internal::kOpInstanceUpdate, row));
  out = {std::move(row), false};
  return OkStatus();
}

}  // namespace

Journal::Journal(std::shared_ptr<store::Store> store, ReadFrom reads)
    : store_(std::move(store)), reads_(reads) {
  ACTIONLOG_CHECK(store_ != nullptr);
}

Status Journal::StoreRead(const store::ReadFn& fn) {
  return reads_ == ReadFrom::kPrimary ? store_->ReadLatest(fn) : store_->Read(fn);
}

Result<Written<Instance>> Journal::PutInstance(const Actor& actor, const InstanceSpec& in) {
  ACTIONLOG_ASSIGN_OR_RETURN(const InstanceSpec spec, ValidateInstance(in));
  const ChangeContext ctx{actor, Clock::Default().Now()};
  Written<Instance> out;
  bool lost_insert_race = false;
  const auto put = [&](store::WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Instance> existing, tx.GetInstance(spec.uuid));
    if (existing) {
      return PutExistingInstance(tx, ctx, spec, *existing, out);
    }
    if (spec.expected_version) {
      return MakeError(ErrorCode::kNotFound, "Instance " + spec.uuid + " could not be found.");
    }
    Instance row;
    row.uuid = spec.uuid;
    row.project_id = spec.project_id;
    ApplyInstanceSpec(spec, row);
    row.created_at = ctx.now;
    row.version = 1;
    ACTIONLOG_RETURN_IF_ERROR(internal::InsertCheckedInstance(tx, row, lost_insert_race));
    ACTIONLOG_RETURN_IF_ERROR(internal::LogChange(tx, ctx, internal::kOpInstanceCreate, row));
    out = {std::move(row), true};
    return OkStatus();
  };
  ACTIONLOG_RETURN_IF_ERROR(internal::WriteRetryingInsertRace(*store_, put, lost_insert_race));
  return out;
}

Result<Instance> Journal::DeleteInstance(const Actor& actor, std::string_view raw_uuid) {
  ACTIONLOG_ASSIGN_OR_RETURN(const std::string uuid, validation::Uuid("uuid", raw_uuid));
  const ChangeContext ctx{actor, Clock::Default().Now()};
  Instance out;
  ACTIONLOG_RETURN_IF_ERROR(store_->Write([&](store::WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(Instance existing, internal::RequireInstance(tx, uuid));
    if (existing.IsDeleted()) {
      out = existing;
      return OkStatus();
    }
    Instance row = existing;
    row.deleted = row.id;
    row.deleted_at = ctx.now;
    row.updated_at = ctx.now;
    row.version = existing.version + 1;
    ACTIONLOG_RETURN_IF_ERROR(tx.UpdateInstance(row, existing.version));
    ACTIONLOG_RETURN_IF_ERROR(internal::LogChange(tx, ctx, internal::kOpInstanceDelete, row));
    out = std::move(row);
    return OkStatus();
  }));
  return out;
}

Result<Instance> Journal::GetInstance(std::string_view uuid) {
  Instance out;
  ACTIONLOG_RETURN_IF_ERROR(Read([&](JournalReader& reader) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(out, reader.GetInstance(uuid));
    return OkStatus();
  }));
  return out;
}

namespace {

Result<StartActionSpec> ValidateStartAction(const StartActionSpec& in) {
  StartActionSpec spec = in;
  ACTIONLOG_RETURN_IF_ERROR(ValidateActionKey(spec.instance_uuid, spec.request_id));
  ACTIONLOG_RETURN_IF_ERROR(validation::Name("action", spec.action));
  ACTIONLOG_RETURN_IF_ERROR(validation::Name("user_id", spec.user_id));
  ACTIONLOG_RETURN_IF_ERROR(validation::Name("project_id", spec.project_id));
  ACTIONLOG_RETURN_IF_ERROR(validation::Time("start_time", spec.start_time));
  return spec;
}

bool SameStart(const StartActionSpec& spec, const Action& existing) {
  return existing.action == spec.action && existing.user_id == spec.user_id &&
         existing.project_id == spec.project_id &&
         (!spec.start_time || existing.start_time == spec.start_time);
}

}  // namespace

Result<Written<Action>> Journal::StartAction(const Actor& actor, const StartActionSpec& in) {
  ACTIONLOG_ASSIGN_OR_RETURN(const StartActionSpec spec, ValidateStartAction(in));
  const ChangeContext ctx{actor, Clock::Default().Now()};
  Written<Action> out;
  ACTIONLOG_RETURN_IF_ERROR(store_->Write([&](store::WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const Instance instance,
                               internal::RequireInstance(tx, spec.instance_uuid));
    ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Action> existing,
                               tx.GetAction(spec.instance_uuid, spec.request_id));
    if (existing) {
      if (!SameStart(spec, *existing)) {
        return MakeError(ErrorCode::kConflict, "request " + spec.request_id + " on instance " +
                                                   spec.instance_uuid +
                                                   " already recorded a different action (" +
                                                   existing->action.value_or("") + " by user " +
                                                   existing->user_id.value_or("") + ")");
      }
      out = {std::move(*existing), false};
      return OkStatus();
    }
    if (instance.IsDeleted()) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "instance " + spec.instance_uuid + " is deleted");
    }
    Action row;
    row.action = spec.action;
    row.instance_uuid = spec.instance_uuid;
    row.request_id = spec.request_id;
    row.user_id = spec.user_id;
    row.project_id = spec.project_id;
    row.start_time = spec.start_time.value_or(ctx.now);
    row.updated_at = row.start_time;
    row.created_at = ctx.now;
    row.version = 1;
    ACTIONLOG_RETURN_IF_ERROR(tx.InsertAction(row));
    ACTIONLOG_RETURN_IF_ERROR(internal::LogChange(tx, ctx, internal::kOpActionStart, row));
    out = {std::move(row), true};
    return OkStatus();
  }));
  return out;
}

Result<Written<Action>> Journal::FinishAction(const Actor& actor, const FinishActionSpec& in) {
  FinishActionSpec spec = in;
  ACTIONLOG_RETURN_IF_ERROR(ValidateActionKey(spec.instance_uuid, spec.request_id));
  ACTIONLOG_RETURN_IF_ERROR(validation::Time("finish_time", spec.finish_time));
  const ChangeContext ctx{actor, Clock::Default().Now()};
  Written<Action> out;
  ACTIONLOG_RETURN_IF_ERROR(store_->Write([&](store::WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const Action existing,
                               internal::RequireAction(tx, spec.instance_uuid, spec.request_id));
    if (existing.finish_time) {
      if (spec.finish_time && spec.finish_time != existing.finish_time) {
        return MakeError(ErrorCode::kConflict, "action " + spec.request_id +
                                                   " already finished at " +
                                                   FormatApiTime(*existing.finish_time));
      }
      out = {existing, false};
      return OkStatus();
    }
    ACTIONLOG_RETURN_IF_ERROR(
        CheckVersion("action " + spec.request_id, existing.version, spec.expected_version));
    const Timestamp finish = spec.finish_time.value_or(ctx.now);
    ACTIONLOG_RETURN_IF_ERROR(CheckFinishAfterStart("action", finish, existing.start_time));
    Action row = existing;
    row.finish_time = finish;
    internal::TouchAction(row, finish, false);
    ACTIONLOG_RETURN_IF_ERROR(
        internal::SaveAction(tx, ctx, internal::kOpActionFinish, existing, row));
    out = {std::move(row), true};
    return OkStatus();
  }));
  return out;
}

namespace {

Result<StartEventSpec> ValidateStartEvent(const StartEventSpec& in) {
  StartEventSpec spec = in;
  ACTIONLOG_RETURN_IF_ERROR(ValidateActionKey(spec.instance_uuid, spec.request_id));
  ACTIONLOG_RETURN_IF_ERROR(validation::Name("event", spec.event));
  ACTIONLOG_RETURN_IF_ERROR(validation::OptionalName("host", spec.host));
  ACTIONLOG_RETURN_IF_ERROR(validation::Time("start_time", spec.start_time));
  return spec;
}

// An event of the same name that blocks or replays this start: an open one, or one with the same
// start time. Returns the replayed event, or an error.
Result<std::optional<Event>> CheckEventStart(const StartEventSpec& spec,
                                             const std::vector<Event>& same_name) {
  for (const Event& e : same_name) {
    const bool same_identity = spec.start_time && e.start_time == spec.start_time;
    if (same_identity && e.host == spec.host) {
      return std::optional<Event>(e);
    }
    if (same_identity) {
      return MakeError(ErrorCode::kConflict, "event " + spec.event + " started at " +
                                                 FormatApiTime(*spec.start_time) +
                                                 " is already recorded with another host");
    }
    if (!e.IsFinished()) {
      return MakeError(ErrorCode::kConflict,
                       "event " + spec.event + " of request " + spec.request_id + " is still open");
    }
  }
  return std::optional<Event>();
}

}  // namespace

Result<Written<Event>> Journal::StartEvent(const Actor& actor, const StartEventSpec& in) {
  ACTIONLOG_ASSIGN_OR_RETURN(const StartEventSpec spec, ValidateStartEvent(in));
  const ChangeContext ctx{actor, Clock::Default().Now()};
  Written<Event> out;
  ACTIONLOG_RETURN_IF_ERROR(store_->Write([&](store::WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(
        const store::ActionAndEvents found,
        internal::RequireActionAndEvents(tx, spec.instance_uuid, spec.request_id, spec.event));
    const Action& action = found.action;
    const std::vector<Event>& same_name = found.events;
    ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Event> replay, CheckEventStart(spec, same_name));
    if (replay) {
      out = {std::move(*replay), false};
      return OkStatus();
    }
    if (action.finish_time) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "action " + spec.request_id + " is finished; no new event can start");
    }
    Event row;
    row.action_id = action.id;
    row.event = spec.event;
    row.host = spec.host;
    row.start_time = spec.start_time.value_or(ctx.now);
    row.created_at = ctx.now;
    row.version = 1;
    ACTIONLOG_RETURN_IF_ERROR(tx.InsertEvent(row));
    Action parent = action;
    const bool touched = internal::TouchAction(parent, row.start_time, false);
    if (touched) {
      ACTIONLOG_RETURN_IF_ERROR(internal::UpdateParent(tx, action, parent));
    }
    ACTIONLOG_RETURN_IF_ERROR(
        internal::LogChange(tx, ctx, internal::kOpEventStart, row, parent, touched));
    out = {std::move(row), true};
    return OkStatus();
  }));
  return out;
}

namespace {

Result<FinishEventSpec> ValidateFinishEvent(const FinishEventSpec& in) {
  FinishEventSpec spec = in;
  ACTIONLOG_RETURN_IF_ERROR(ValidateActionKey(spec.instance_uuid, spec.request_id));
  ACTIONLOG_RETURN_IF_ERROR(validation::Name("event", spec.event));
  ACTIONLOG_RETURN_IF_ERROR(validation::ResultValue(spec.result));
  ACTIONLOG_RETURN_IF_ERROR(validation::Time("finish_time", spec.finish_time));
  if (spec.details) {
    ACTIONLOG_RETURN_IF_ERROR(validation::Text("details", *spec.details, kMaxTracebackBytes));
    spec.details = validation::TruncateUtf8(*spec.details, kMaxDetailsBytes);
  }
  if (spec.traceback) {
    ACTIONLOG_RETURN_IF_ERROR(validation::Text("traceback", *spec.traceback, kMaxTracebackBytes));
  }
  return spec;
}

bool SameOutcome(const FinishEventSpec& spec, const Event& e) {
  return e.result == spec.result && e.details == spec.details && e.traceback == spec.traceback &&
         (!spec.finish_time || e.finish_time == spec.finish_time);
}

// The event a finish applies to: the open one of that name, else the newest finished one.
Result<Event> PickEventToFinish(const FinishEventSpec& spec, const Action& action,
                                const std::vector<Event>& same_name) {
  if (same_name.empty()) {
    return MakeError(ErrorCode::kNotFound, "Event " + spec.event + " not found for action id " +
                                               std::to_string(action.id));
  }
  for (const Event& e : same_name) {
    if (!e.IsFinished()) {
      return e;
    }
  }
  return same_name.back();
}

}  // namespace

Result<Written<Event>> Journal::FinishEvent(const Actor& actor, const FinishEventSpec& in) {
  ACTIONLOG_ASSIGN_OR_RETURN(const FinishEventSpec spec, ValidateFinishEvent(in));
  const ChangeContext ctx{actor, Clock::Default().Now()};
  Written<Event> out;
  ACTIONLOG_RETURN_IF_ERROR(store_->Write([&](store::WriteTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(
        const store::ActionAndEvents found,
        internal::RequireActionAndEvents(tx, spec.instance_uuid, spec.request_id, spec.event));
    const Action& action = found.action;
    const std::vector<Event>& same_name = found.events;
    ACTIONLOG_ASSIGN_OR_RETURN(const Event existing, PickEventToFinish(spec, action, same_name));
    if (existing.IsFinished()) {
      if (!SameOutcome(spec, existing)) {
        return MakeError(ErrorCode::kConflict,
                         "event " + spec.event + " of request " + spec.request_id +
                             " already finished with result " + existing.result.value_or("null") +
                             " and different details; nothing was changed");
      }
      out = {existing, false};
      return OkStatus();
    }
    ACTIONLOG_RETURN_IF_ERROR(
        CheckVersion("event " + spec.event, existing.version, spec.expected_version));
    const Timestamp finish = spec.finish_time.value_or(ctx.now);
    ACTIONLOG_RETURN_IF_ERROR(CheckFinishAfterStart("event", finish, existing.start_time));
    Event row = existing;
    row.finish_time = finish;
    row.result = spec.result;
    row.details = spec.details;
    row.traceback = spec.traceback;
    row.updated_at = ctx.now;
    row.version = existing.version + 1;
    ACTIONLOG_RETURN_IF_ERROR(tx.UpdateEvent(row, existing.version));
    Action parent = action;
    const bool touched = internal::TouchAction(parent, finish, spec.result == kResultError);
    if (touched) {
      ACTIONLOG_RETURN_IF_ERROR(internal::UpdateParent(tx, action, parent));
    }
    ACTIONLOG_RETURN_IF_ERROR(
        internal::LogChange(tx, ctx, internal::kOpEventFinish, row, parent, touched));
    out = {std::move(row), true};
    return OkStatus();
  }));
  return out;
}

Status Journal::Read(const std::function<Status(JournalReader&)>& fn) {
  return StoreRead([&](store::ReadTransaction& tx) -> Status {
    JournalReader reader(tx);
    return fn(reader);
  });
}

Result<Instance> JournalReader::GetInstance(std::string_view uuid) {
  return internal::RequireInstance(tx_, uuid);
}

Result<ActionWithEvents> JournalReader::GetAction(std::string_view instance_uuid,
                                                  std::string_view request_id) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Action> action,
                             tx_.GetAction(instance_uuid, request_id));
  if (!action) {
    return MakeError(ErrorCode::kNotFound, "Action " + std::string(request_id) + " not found");
  }
  ActionWithEvents out;
  ACTIONLOG_ASSIGN_OR_RETURN(out.events, tx_.ListEvents(action->id));
  out.action = std::move(*action);
  return out;
}

Result<std::vector<Action>> JournalReader::ListActions(const ListActionsSpec& spec) {
  if (spec.limit && *spec.limit < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "limit must not be negative");
  }
  if (spec.limit && *spec.limit == 0) {
    return std::vector<Action>{};
  }
  store::ActionPageQuery query;
  query.instance_uuid = spec.instance_uuid;
  query.limit = spec.limit;
  query.changes_since = spec.changes_since;
  query.changes_before = spec.changes_before;
  if (spec.marker) {
    ACTIONLOG_ASSIGN_OR_RETURN(std::optional<Action> marker,
                               tx_.GetAction(spec.instance_uuid, *spec.marker));
    if (!marker) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "marker " + internal::Quote(*spec.marker) + " not found");
    }
    query.after_created_at = marker->created_at;
    query.after_id = marker->id;
  }
  return tx_.ListActions(query);
}

Result<ActionWithEvents> Journal::GetAction(std::string_view instance_uuid,
                                            std::string_view request_id) {
  ActionWithEvents out;
  ACTIONLOG_RETURN_IF_ERROR(Read([&](JournalReader& reader) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(out, reader.GetAction(instance_uuid, request_id));
    return OkStatus();
  }));
  return out;
}

Result<std::vector<Action>> Journal::ListActions(const ListActionsSpec& spec) {
  std::vector<Action> out;
  ACTIONLOG_RETURN_IF_ERROR(Read([&](JournalReader& reader) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(out, reader.ListActions(spec));
    return OkStatus();
  }));
  return out;
}

Result<std::vector<Event>> Journal::ListEvents(std::string_view instance_uuid,
                                               std::string_view request_id) {
  ACTIONLOG_ASSIGN_OR_RETURN(ActionWithEvents action, GetAction(instance_uuid, request_id));
  return std::move(action.events);
}

}  // namespace actionlog
