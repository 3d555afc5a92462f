#include "import/nova_sqlite_source.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <sqlite3.h>

namespace actionlog::import {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

constexpr const char* kInstancesSql =
    "SELECT id, uuid, project_id, user_id, host, display_name, created_at, updated_at, "
    "deleted_at, deleted FROM instances ORDER BY id";
constexpr const char* kActionsSql =
    "SELECT id, action, instance_uuid, request_id, user_id, project_id, created_at, updated_at, "
    "deleted_at, start_time, finish_time, message, deleted FROM instance_actions ORDER BY id";
// NULL action_ids sort first, so orphans without an action come out before every action.
constexpr const char* kEventsSql =
    "SELECT id, action_id, event, created_at, updated_at, deleted_at, start_time, finish_time, "
    "result, traceback, host, details, deleted FROM instance_actions_events "
    "ORDER BY action_id, id";

// "file:" URI of a path, so that mode=ro applies; every byte outside [A-Za-z0-9/._~-] is escaped.
std::string ReadOnlyUri(const std::string& path) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string uri = "file:";
  for (const char c : path) {
    const auto b = static_cast<unsigned char>(c);
    const bool plain =
        (std::isalnum(b) != 0) || c == '/' || c == '.' || c == '_' || c == '~' || c == '-';
    if (plain) {
      uri += c;
    } else {
      uri += '%';
      uri += kHex[b >> 4U];
      uri += kHex[b & 0xFU];
    }
  }
  return uri + "?mode=ro";
}

Error StepError(sqlite3* db, int rc) {
  const std::string message = std::string("reading the Nova database: ") + sqlite3_errmsg(db);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_NOMEM || rc == SQLITE_IOERR) {
    return MakeError(ErrorCode::kUnavailable, message);
  }
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) {
    return MakeError(ErrorCode::kDataLoss, message);
  }
  return MakeError(ErrorCode::kInternal, message);
}

// Reads the columns of the current row of a statement; remembers the first conversion problem.
class RowReader {
 public:
  explicit RowReader(sqlite3_stmt* stmt) : stmt_(stmt) {}

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

  std::optional<std::string> Text(int col) const {
    if (IsNull(col)) {
      return std::nullopt;
    }
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    const int size = sqlite3_column_bytes(stmt_, col);
    return std::string(data == nullptr ? "" : data, static_cast<std::size_t>(size));
  }

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

  sqlite3_stmt* stmt_;
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

ActionRow ReadActionRow(sqlite3_stmt* stmt) {
  RowReader r(stmt);
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

EventRow ReadEventRow(sqlite3_stmt* stmt) {
  RowReader r(stmt);
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

Result<Instance> ReadInstanceRow(sqlite3_stmt* stmt) {
  RowReader r(stmt);
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
  ActionMerger(sqlite3* db, sqlite3_stmt* actions, sqlite3_stmt* events, const NovaSink& sink)
      : db_(db), actions_(actions), events_(events), sink_(sink) {}

  Status Run() {
    ACTIONLOG_RETURN_IF_ERROR(StepEvent());
    while (true) {
      const int rc = sqlite3_step(actions_);
      if (rc == SQLITE_DONE) {
        break;
      }
      if (rc != SQLITE_ROW) {
        return StepError(db_, rc);
      }
      ACTIONLOG_RETURN_IF_ERROR(HandleAction(ReadActionRow(actions_)));
    }
    return RejectOrphansBefore(std::nullopt);
  }

 private:
  Status StepEvent() {
    const int rc = sqlite3_step(events_);
    if (rc == SQLITE_DONE) {
      pending_.reset();
      return OkStatus();
    }
    if (rc != SQLITE_ROW) {
      return StepError(db_, rc);
    }
    pending_ = ReadEventRow(events_);
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

  sqlite3* db_;
  sqlite3_stmt* actions_;
  sqlite3_stmt* events_;
  const NovaSink& sink_;
  std::optional<EventRow> pending_;
};

class NovaSqliteSource final : public NovaSource {
 public:
  explicit NovaSqliteSource(DbPtr db) : db_(std::move(db)) {}

  Status ReadInstances(const NovaSink& sink) override {
    ACTIONLOG_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(db_.get(), kInstancesSql));
    while (true) {
      const int rc = sqlite3_step(stmt.get());
      if (rc == SQLITE_DONE) {
        return OkStatus();
      }
      if (rc != SQLITE_ROW) {
        return StepError(db_.get(), rc);
      }
      Result<Instance> row = ReadInstanceRow(stmt.get());
      if (row) {
        ACTIONLOG_RETURN_IF_ERROR(sink.on_instance(std::move(*row)));
      } else {
        const auto id = sqlite3_column_int64(stmt.get(), 0);
        RowReader r(stmt.get());
        sink.on_reject(MakeRejection("instances", id, "instance " + r.Text(1).value_or("NULL"),
                                     row.error().code, row.error().message));
      }
    }
  }

  Status ReadActions(const NovaSink& sink) override {
    ACTIONLOG_ASSIGN_OR_RETURN(StmtPtr actions, Prepare(db_.get(), kActionsSql));
    ACTIONLOG_ASSIGN_OR_RETURN(StmtPtr events, Prepare(db_.get(), kEventsSql));
    ActionMerger merger(db_.get(), actions.get(), events.get(), sink);
    return merger.Run();
  }

  static Result<StmtPtr> Prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string("not a Nova database: ") + sqlite3_errmsg(db));
    }
    return StmtPtr(raw);
  }

 private:
  DbPtr db_;
};

}  // namespace

Result<std::unique_ptr<NovaSource>> OpenNovaSqliteSource(const std::string& path) {
  sqlite3* raw = nullptr;
  const std::string uri = ReadOnlyUri(path);
  const int rc =
      sqlite3_open_v2(uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot open Nova database '" + path +
                         "': " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 10000);
  for (const char* sql : {kInstancesSql, kActionsSql, kEventsSql}) {
    Result<StmtPtr> probe = NovaSqliteSource::Prepare(db.get(), sql);
    if (!probe) {
      return MakeError(probe.error().code, "'" + path + "' is " + probe.error().message);
    }
  }
  return std::make_unique<NovaSqliteSource>(std::move(db));
}

}  // namespace actionlog::import
