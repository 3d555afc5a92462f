#include "record_json.hpp"

#include <optional>
#include <string>
#include <utility>

namespace actionlog::cli {
namespace json = boost::json;

namespace {

json::value Time(const std::optional<Timestamp>& t) {
  if (!t) {
    return nullptr;
  }
  return json::string(FormatApiTime(*t));
}

json::value Text(const std::optional<std::string>& s) {
  if (!s) {
    return nullptr;
  }
  return json::string(*s);
}

// Reads fields of one JSON object, remembering the first problem.
class FieldReader {
 public:
  FieldReader(const json::object& object, std::string what)
      : object_(object), what_(std::move(what)) {}

  std::optional<std::string> Text(std::string_view key) {
    const json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) {
      return std::nullopt;
    }
    if (!v->is_string()) {
      Problem(key, "must be a string or null");
      return std::nullopt;
    }
    return std::string(v->get_string());
  }

  std::optional<Timestamp> Time(std::string_view key) {
    const std::optional<std::string> text = Text(key);
    if (!text) {
      return std::nullopt;
    }
    Result<Timestamp> parsed = ParseIso8601(*text);
    if (!parsed) {
      Problem(key, parsed.error().message);
      return std::nullopt;
    }
    return *parsed;
  }

  std::int64_t Int(std::string_view key) {
    const json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) {
      return 0;
    }
    if (!v->is_int64()) {
      Problem(key, "must be an integer");
      return 0;
    }
    return v->get_int64();
  }

  void AllowOnly(std::initializer_list<std::string_view> keys) {
    for (const auto& kv : object_) {
      bool known = false;
      for (const std::string_view k : keys) {
        known = known || kv.key() == k;
      }
      if (!known) {
        Problem(kv.key(), "is not a known field");
      }
    }
  }

  Status Check() const {
    if (problem_) {
      return MakeError(ErrorCode::kInvalidArgument, *problem_);
    }
    return OkStatus();
  }

 private:
  void Problem(std::string_view key, std::string_view text) {
    if (!problem_) {
      problem_ = what_ + " field '" + std::string(key) + "' " + std::string(text);
    }
  }

  const json::object& object_;
  std::string what_;
  std::optional<std::string> problem_;
};

Result<Event> ParseEvent(const json::value& value) {
  if (!value.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "every element of 'events' must be an object");
  }
  FieldReader r(value.get_object(), "event");
  r.AllowOnly({"id", "action_id", "event", "created_at", "updated_at", "deleted_at", "start_time",
               "finish_time", "result", "traceback", "host", "hostId", "details", "deleted",
               "version"});
  Event e;
  e.id = r.Int("id");
  e.action_id = r.Int("action_id");
  e.event = r.Text("event").value_or("");
  e.created_at = r.Time("created_at");
  e.updated_at = r.Time("updated_at");
  e.deleted_at = r.Time("deleted_at");
  e.start_time = r.Time("start_time");
  e.finish_time = r.Time("finish_time");
  e.result = r.Text("result");
  e.traceback = r.Text("traceback");
  e.host = r.Text("host");
  e.details = r.Text("details");
  e.deleted = r.Int("deleted");
  ACTIONLOG_RETURN_IF_ERROR(r.Check());
  return e;
}

Result<Action> ParseAction(const json::object& object) {
  FieldReader r(object, "action");
  r.AllowOnly({"id", "action", "instance_uuid", "request_id", "user_id", "project_id", "created_at",
               "updated_at", "deleted_at", "start_time", "finish_time", "message", "deleted",
               "version", "events"});
  Action a;
  a.id = r.Int("id");
  a.action = r.Text("action");
  a.instance_uuid = r.Text("instance_uuid").value_or("");
  a.request_id = r.Text("request_id").value_or("");
  a.user_id = r.Text("user_id");
  a.project_id = r.Text("project_id");
  a.created_at = r.Time("created_at");
  a.updated_at = r.Time("updated_at");
  a.deleted_at = r.Time("deleted_at");
  a.start_time = r.Time("start_time");
  a.finish_time = r.Time("finish_time");
  a.message = r.Text("message");
  a.deleted = r.Int("deleted");
  ACTIONLOG_RETURN_IF_ERROR(r.Check());
  return a;
}

}  // namespace

json::object ToJson(const Instance& i) {
  return json::object{
      {"id", i.id},
      {"uuid", i.uuid},
      {"project_id", Text(i.project_id)},
      {"user_id", Text(i.user_id)},
      {"host", Text(i.host)},
      {"display_name", Text(i.display_name)},
      {"created_at", Time(i.created_at)},
      {"updated_at", Time(i.updated_at)},
      {"deleted_at", Time(i.deleted_at)},
      {"deleted", i.deleted},
      {"version", i.version},
  };
}

json::object ToJson(const Action& a) {
  return json::object{
      {"id", a.id},
      {"action", Text(a.action)},
      {"instance_uuid", a.instance_uuid},
      {"request_id", a.request_id},
      {"user_id", Text(a.user_id)},
      {"project_id", Text(a.project_id)},
      {"created_at", Time(a.created_at)},
      {"updated_at", Time(a.updated_at)},
      {"deleted_at", Time(a.deleted_at)},
      {"start_time", Time(a.start_time)},
      {"finish_time", Time(a.finish_time)},
      {"message", Text(a.message)},
      {"deleted", a.deleted},
      {"version", a.version},
  };
}

json::object ToJson(const Event& e) {
  return json::object{
      {"id", e.id},
      {"action_id", e.action_id},
      {"event", e.event},
      {"created_at", Time(e.created_at)},
      {"updated_at", Time(e.updated_at)},
      {"deleted_at", Time(e.deleted_at)},
      {"start_time", Time(e.start_time)},
      {"finish_time", Time(e.finish_time)},
      {"result", Text(e.result)},
      {"traceback", Text(e.traceback)},
      {"host", Text(e.host)},
      {"details", Text(e.details)},
      {"deleted", e.deleted},
      {"version", e.version},
  };
}

json::object ToJson(const ActionWithEvents& record) {
  json::object out = ToJson(record.action);
  json::array events;
  for (const Event& e : record.events) {
    events.emplace_back(ToJson(e));
  }
  out["events"] = std::move(events);
  return out;
}

Result<ActionWithEvents> ParseActionWithEvents(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) {
    return MakeError(ErrorCode::kInvalidArgument, "the input is not JSON: " + ec.message());
  }
  if (doc.is_object() && doc.get_object().size() == 1 && doc.get_object().contains("action") &&
      doc.get_object().at("action").is_object()) {
    doc = json::value(doc.get_object().at("action"));
  }
  if (!doc.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "the input must be a JSON object");
  }
  ActionWithEvents record;
  ACTIONLOG_ASSIGN_OR_RETURN(record.action, ParseAction(doc.get_object()));
  const json::value* events = doc.get_object().if_contains("events");
  if (events != nullptr && !events->is_null()) {
    if (!events->is_array()) {
      return MakeError(ErrorCode::kInvalidArgument, "'events' must be an array");
    }
    for (const json::value& v : events->get_array()) {
      ACTIONLOG_ASSIGN_OR_RETURN(Event e, ParseEvent(v));
      record.events.push_back(std::move(e));
    }
  }
  return record;
}

}  // namespace actionlog::cli
