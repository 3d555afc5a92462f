#include "http/journal_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "http/json_writer.hpp"

namespace actionlog::http {
namespace {

namespace json = boost::json;

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

void WriteInstanceFields(JsonWriter& w, const Instance& i) {
  w.Field("uuid", i.uuid);
  w.Field("project_id", i.project_id);
  w.Field("user_id", i.user_id);
  w.Field("host", i.host);
  w.Field("display_name", i.display_name);
  w.Field("created_at", i.created_at);
  w.Field("updated_at", i.updated_at);
  w.Field("deleted_at", i.deleted_at);
  w.Key("deleted");
  w.Bool(i.IsDeleted());
  w.Field("version", i.version);
}

void WriteActionFields(JsonWriter& w, const Action& a) {
  w.Field("id", a.id);
  w.Field("instance_uuid", a.instance_uuid);
  w.Field("request_id", a.request_id);
  w.Field("action", a.action);
  w.Field("user_id", a.user_id);
  w.Field("project_id", a.project_id);
  w.Field("start_time", a.start_time);
  w.Field("finish_time", a.finish_time);
  w.Field("message", a.message);
  w.Field("created_at", a.created_at);
  w.Field("updated_at", a.updated_at);
  w.Field("version", a.version);
}

void WriteEventObject(JsonWriter& w, const Event& e) {
  w.BeginObject();
  w.Field("id", e.id);
  w.Field("event", e.event);
  w.Field("start_time", e.start_time);
  w.Field("finish_time", e.finish_time);
  w.Field("result", e.result);
  w.Field("traceback", e.traceback);
  w.Field("host", e.host);
  w.Field("details", e.details);
  w.Field("created_at", e.created_at);
  w.Field("updated_at", e.updated_at);
  w.Field("version", e.version);
  w.EndObject();
}

Result<Event> ParseEventRecord(const json::value& value) {
  if (!value.is_object()) {
    return Invalid("each of 'events' must be an object");
  }
  const json::object& obj = value.get_object();
  ACTIONLOG_RETURN_IF_ERROR(
      CheckKeys(obj, {"event", "start_time", "finish_time", "result", "traceback", "host",
                      "details", "created_at", "updated_at"}));
  Event e;
  ACTIONLOG_ASSIGN_OR_RETURN(e.event, RequiredString(obj, "event"));
  ACTIONLOG_ASSIGN_OR_RETURN(e.start_time, OptionalTime(obj, "start_time"));
  ACTIONLOG_ASSIGN_OR_RETURN(e.finish_time, OptionalTime(obj, "finish_time"));
  ACTIONLOG_ASSIGN_OR_RETURN(e.result, OptionalString(obj, "result"));
  ACTIONLOG_ASSIGN_OR_RETURN(e.traceback, OptionalString(obj, "traceback"));
  ACTIONLOG_ASSIGN_OR_RETURN(e.host, OptionalString(obj, "host"));
  ACTIONLOG_ASSIGN_OR_RETURN(e.details, OptionalString(obj, "details"));
  ACTIONLOG_ASSIGN_OR_RETURN(e.created_at, OptionalTime(obj, "created_at"));
  ACTIONLOG_ASSIGN_OR_RETURN(e.updated_at, OptionalTime(obj, "updated_at"));
  return e;
}

Status CheckPathValue(const json::object& obj, std::string_view key, std::string_view expected) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalString(obj, key));
  if (value && *value != expected) {
    return Invalid("'" + std::string(key) + "' in the body does not match the URL");
  }
  return OkStatus();
}

}  // namespace

Result<json::object> ParseJsonObject(std::string_view body, bool allow_empty) {
  if (body.empty() && allow_empty) {
    return json::object();
  }
  json::parse_options options;
  options.max_depth = 16;
  boost::system::error_code ec;
  json::value value = json::parse(body, ec, json::storage_ptr(), options);
  if (ec) {
    return Invalid("Malformed request body: " + ec.message());
  }
  if (!value.is_object()) {
    return Invalid("Malformed request body: expected a JSON object");
  }
  return std::move(value.get_object());
}

Result<json::object> Envelope(const json::object& body, std::string_view key) {
  ACTIONLOG_RETURN_IF_ERROR(CheckKeys(body, {key}));
  const json::value* inner = body.if_contains(key);
  if (inner == nullptr || !inner->is_object()) {
    return Invalid("'" + std::string(key) + "' is a required object");
  }
  return inner->get_object();
}

Status CheckKeys(const json::object& obj, std::initializer_list<std::string_view> allowed) {
  for (const auto& member : obj) {
    bool known = false;
    for (const std::string_view a : allowed) {
      known = known || member.key() == a;
    }
    if (!known) {
      return Invalid("Additional properties are not allowed ('" + std::string(member.key()) +
                     "' was unexpected)");
    }
  }
  return OkStatus();
}

Result<std::optional<std::string>> OptionalString(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::string>();
  }
  if (!v->is_string()) {
    return Invalid("'" + std::string(key) + "' must be a string");
  }
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::string> RequiredString(const json::object& obj, std::string_view key) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalString(obj, key));
  if (!v) {
    return Invalid("'" + std::string(key) + "' is a required string");
  }
  return std::move(*v);
}

Result<std::optional<Timestamp>> OptionalTime(const json::object& obj, std::string_view key) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::optional<std::string> text, OptionalString(obj, key));
  if (!text) {
    return std::optional<Timestamp>();
  }
  auto t = ParseIso8601(*text);
  if (!t) {
    return Invalid("'" + std::string(key) + "' is not an ISO 8601 date-time");
  }
  return std::optional<Timestamp>(*t);
}

Result<ActionWithEvents> ParseActionRecord(const json::object& obj, std::string_view instance_uuid,
                                           std::string_view request_id) {
  ACTIONLOG_RETURN_IF_ERROR(CheckKeys(
      obj, {"instance_uuid", "request_id", "action", "user_id", "project_id", "start_time",
            "finish_time", "message", "created_at", "updated_at", "events"}));
  ACTIONLOG_RETURN_IF_ERROR(CheckPathValue(obj, "instance_uuid", instance_uuid));
  ACTIONLOG_RETURN_IF_ERROR(CheckPathValue(obj, "request_id", request_id));
  ActionWithEvents record;
  Action& a = record.action;
  a.instance_uuid = std::string(instance_uuid);
  a.request_id = std::string(request_id);
  ACTIONLOG_ASSIGN_OR_RETURN(a.action, OptionalString(obj, "action"));
  ACTIONLOG_ASSIGN_OR_RETURN(a.user_id, OptionalString(obj, "user_id"));
  ACTIONLOG_ASSIGN_OR_RETURN(a.project_id, OptionalString(obj, "project_id"));
  ACTIONLOG_ASSIGN_OR_RETURN(a.start_time, OptionalTime(obj, "start_time"));
  ACTIONLOG_ASSIGN_OR_RETURN(a.finish_time, OptionalTime(obj, "finish_time"));
  ACTIONLOG_ASSIGN_OR_RETURN(a.message, OptionalString(obj, "message"));
  ACTIONLOG_ASSIGN_OR_RETURN(a.created_at, OptionalTime(obj, "created_at"));
  ACTIONLOG_ASSIGN_OR_RETURN(a.updated_at, OptionalTime(obj, "updated_at"));
  if (const json::value* events = obj.if_contains("events"); events != nullptr) {
    if (!events->is_array()) {
      return Invalid("'events' must be an array");
    }
    for (const json::value& ev : events->get_array()) {
      ACTIONLOG_ASSIGN_OR_RETURN(Event e, ParseEventRecord(ev));
      record.events.push_back(std::move(e));
    }
  }
  return record;
}

std::string RenderInstance(const Instance& instance) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("instance");
  w.BeginObject();
  WriteInstanceFields(w, instance);
  w.EndObject();
  w.EndObject();
  return out;
}

std::string RenderAction(const Action& action) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("action");
  w.BeginObject();
  WriteActionFields(w, action);
  w.EndObject();
  w.EndObject();
  return out;
}

std::string RenderActionWithEvents(const ActionWithEvents& record) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("action");
  w.BeginObject();
  WriteActionFields(w, record.action);
  w.Key("events");
  w.BeginArray();
  for (const Event& e : record.events) {
    WriteEventObject(w, e);
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return out;
}

std::string RenderEvent(const Event& event) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("event");
  WriteEventObject(w, event);
  w.EndObject();
  return out;
}

std::string RenderVerifyReport(const VerifyReport& report) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("verify");
  w.BeginObject();
  w.Key("ok");
  w.Bool(report.ok);
  w.Field("entries_checked", report.entries_checked);
  w.Field("rows_checked", report.rows_checked);
  w.Key("first_bad_seq");
  if (report.first_bad_seq) {
    w.Int(*report.first_bad_seq);
  } else {
    w.Null();
  }
  w.Field("problem", report.problem);
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace actionlog::http
