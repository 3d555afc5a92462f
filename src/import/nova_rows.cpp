#include "import/nova_rows.hpp"

#include <algorithm>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace actionlog::import {
namespace {

// Reads the columns of a cursor's current row; remembers the first conversion problem.
class RowReader {
 public:
  explicit RowReader(const RowCursor& cursor) : cursor_(cursor) {}

  bool IsNull(int col) const { return cursor_.IsNull(col); }

  std::int64_t Int(int col) const { return cursor_.Int(col); }

  std::optional<std::string> Text(int col) const { return cursor_.Text(col); }

  std::string RequiredText(int col, std::string_view name) {
    std::optional<std::string> text = Text(col);
    if (!text) {
      Note(std::string(name) + " is NULL");
      return {};
    }
    return std::move(*text);
  }

  std::optional<Timestamp> Time(int col, std::string_view name) {
    const std::optional<std::string> text = Text(col);
    if (!text) {
      return std::nullopt;
    }
    Result<Timestamp> parsed = ParseStorageTime(*text);
    if (!parsed) {
      Note(std::string(name) + " '" + *text + "' is not a timestamp: " + parsed.error().message);
      return std::nullopt;
    }
    return *parsed;
  }

  const std::optional<std::string>& FirstProblem() const { return problem_; }

 private:
  void Note(std::string text) {
    if (!problem_) {
      problem_ = std::move(text);
    }
  }

  const RowCursor& cursor_;
  std::optional<std::string> problem_;
};

Rejection MakeRejection(std::string table, std::int64_t id, std::string context, ErrorCode code,
                        std::string reason) {
  return Rejection{std::move(table), id, std::move(context), code, std::move(reason)};
}

struct ActionRow {
  Action action;
  std::optional<std::string> problem;
};

ActionRow ReadActionRow(const RowCursor& cursor) {
  RowReader r(cursor);
  ActionRow row;
  Action& a = row.action;
  a.id = r.Int(0);
  a.action = r.Text(1);
  a.instance_uuid = r.RequiredText(2, "instance_uuid");
  a.request_id = r.RequiredText(3, "request_id");
  a.user_id = r.Text(4);
  a.project_id = r.Text(5);
  a.created_at = r.Time(6, "created_at");
  a.updated_at = r.Time(7, "updated_at");
  a.deleted_at = r.Time(8, "deleted_at");
  a.start_time = r.Time(9, "start_time");
  a.finish_time = r.Time(10, "finish_time");
  a.message = r.Text(11);
  a.deleted = r.Int(12);
  row.problem = r.FirstProblem();
  return row;
}

struct EventRow {
  std::optional<std::int64_t> action_id;
  Event event;
  std::optional<std::string> problem;
};

EventRow ReadEventRow(const RowCursor& cursor) {
  RowReader r(cursor);
  EventRow row;
  Event& e = row.event;
  e.id = r.Int(0);
  if (!r.IsNull(1)) {
    row.action_id = r.Int(1);
    e.action_id = *row.action_id;
  }
  e.event = r.RequiredText(2, "event");
  e.created_at = r.Time(3, "created_at");
  e.updated_at = r.Time(4, "updated_at");
  e.deleted_at = r.Time(5, "deleted_at");
  e.start_time = r.Time(6, "start_time");
  e.finish_time = r.Time(7, "finish_time");
  e.result = r.Text(8);
  e.traceback = r.Text(9);
  e.host = r.Text(10);
  e.details = r.Text(11);
  e.deleted = r.Int(12);
  row.problem = r.FirstProblem();
  return row;
}

Result<Instance> ReadInstanceRow(const RowCursor& cursor) {
  RowReader r(cursor);
  Instance i;
  i.id = r.Int(0);
  i.uuid = r.RequiredText(1, "uuid");
  i.project_id = r.Text(2);
  i.user_id = r.Text(3);
  i.host = r.Text(4);
  i.display_name = r.Text(5);
  i.created_at = r.Time(6, "created_at");
  i.updated_at = r.Time(7, "updated_at");
  i.deleted_at = r.Time(8, "deleted_at");
  i.deleted = r.Int(9);
  if (r.FirstProblem()) {
    return MakeError(ErrorCode::kInvalidArgument, *r.FirstProblem());
  }
  return i;
}

std::string ActionContext(const Action& a) {
  return "instance " + a.instance_uuid + " request " + a.request_id;
}

std::string EventContext(const EventRow& e) {
  return "action " + (e.action_id ? std::to_string(*e.action_id) : std::string("NULL")) +
         " event " + e.event.event;
}

// Merges the action cursor (by id) with the event cursor (by action_id, id).
class ActionMerger {
 public:
  ActionMerger(RowCursor& actions, RowCursor& events, const NovaSink& sink)
      : actions_(actions), events_(events), sink_(sink) {}

  Status Run() {
    ACTIONLOG_RETURN_IF_ERROR(StepEvent());
    while (true) {
      ACTIONLOG_ASSIGN_OR_RETURN(const bool row, actions_.Step());
      if (!row) {
        break;
      }
      ACTIONLOG_RETURN_IF_ERROR(HandleAction(ReadActionRow(actions_)));
    }
    return RejectOrphansBefore(std::nullopt);
  }

 private:
  Status StepEvent() {
    ACTIONLOG_ASSIGN_OR_RETURN(const bool row, events_.Step());
    if (row) {
      pending_ = ReadEventRow(events_);
    } else {
      pending_.reset();
    }
    return OkStatus();
  }

  // Rejects pending events whose action_id is NULL or below `action_id` (all when nullopt).
  Status RejectOrphansBefore(std::optional<std::int64_t> action_id) {
    while (pending_ && (!pending_->action_id || !action_id || *pending_->action_id < *action_id)) {
      const std::string reason =
          pending_->action_id
              ? "its action " + std::to_string(*pending_->action_id) + " does not exist"
              : std::string("action_id is NULL");
      sink_.on_reject(MakeRejection("instance_actions_events", pending_->event.id,
                                    EventContext(*pending_), ErrorCode::kNotFound, reason));
      ACTIONLOG_RETURN_IF_ERROR(StepEvent());
    }
    return OkStatus();
  }

  Status CollectEvents(std::int64_t action_id, std::vector<EventRow>& out) {
    while (pending_ && pending_->action_id == action_id) {
      out.push_back(std::move(*pending_));
      ACTIONLOG_RETURN_IF_ERROR(StepEvent());
    }
    return OkStatus();
  }

  Status HandleAction(ActionRow row) {
    ACTIONLOG_RETURN_IF_ERROR(RejectOrphansBefore(row.action.id));
    std::vector<EventRow> events;
    ACTIONLOG_RETURN_IF_ERROR(CollectEvents(row.action.id, events));
    if (row.problem) {
      RejectAction(row, events);
      return OkStatus();
    }
    ActionWithEvents record{std::move(row.action), {}};
    for (EventRow& e : events) {
      if (e.problem) {
        sink_.on_reject(MakeRejection("instance_actions_events", e.event.id, EventContext(e),
                                      ErrorCode::kInvalidArgument, *e.problem));
      } else {
        record.events.push_back(std::move(e.event));
      }
    }
    std::sort(record.events.begin(), record.events.end(), [](const Event& a, const Event& b) {
      return std::tie(a.created_at, a.id) > std::tie(b.created_at, b.id);
    });
    return sink_.on_action(std::move(record));
  }

  void RejectAction(const ActionRow& row, const std::vector<EventRow>& events) {
    sink_.on_reject(MakeRejection("instance_actions", row.action.id, ActionContext(row.action),
                                  ErrorCode::kInvalidArgument, *row.problem));
    for (const EventRow& e : events) {
      sink_.on_reject(MakeRejection(
          "instance_actions_events", e.event.id, EventContext(e), ErrorCode::kInvalidArgument,
          "its action " + std::to_string(row.action.id) + " was rejected"));
    }
  }

  RowCursor& actions_;
  RowCursor& events_;
  const NovaSink& sink_;
  std::optional<EventRow> pending_;
};

}  // namespace

Status ReadInstanceRows(RowCursor& instances, const NovaSink& sink) {
  while (true) {
    ACTIONLOG_ASSIGN_OR_RETURN(const bool more, instances.Step());
    if (!more) {
      return OkStatus();
    }
    Result<Instance> row = ReadInstanceRow(instances);
    if (row) {
      ACTIONLOG_RETURN_IF_ERROR(sink.on_instance(std::move(*row)));
    } else {
      sink.on_reject(MakeRejection("instances", instances.Int(0),
                                   "instance " + instances.Text(1).value_or("NULL"),
                                   row.error().code, row.error().message));
    }
  }
}

Status MergeActionRows(RowCursor& actions, RowCursor& events, const NovaSink& sink) {
  ActionMerger merger(actions, events, sink);
  return merger.Run();
}

}  // namespace actionlog::import
