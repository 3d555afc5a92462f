#include "http/journal_handlers.hpp"

#include <initializer_list>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

#include "http/journal_json.hpp"
#include "http/policy.hpp"
#include "http/responses.hpp"

namespace actionlog::http {
namespace {

namespace json = boost::json;

constexpr std::string_view kActorService = "actionlog-http";

// A JSON body is required to be declared as JSON when a Content-Type is given at all. Media
// types are case-insensitive (RFC 9110 §8.3.1).
bool IsJsonContentType(const Request& req) {
  const auto it = req.find(bhttp::field::content_type);
  if (it == req.end()) {
    return true;
  }
  std::string_view type = it->value();
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
    type.remove_suffix(1);
  }
  return boost::beast::iequals(type, "application/json");
}

Result<json::object> Body(const Request& req, bool allow_empty) {
  if (!req.body().empty() && !IsJsonContentType(req)) {
    return MakeError(ErrorCode::kUnsupported, "Unsupported Content-Type");
  }
  return ParseJsonObject(req.body(), allow_empty);
}

// The request's JSON object: the body itself, or with an `envelope` name the body's one member of
// that name; when `keys` is not empty, only those may appear in it. Render errors with BodyError.
Result<json::object> ReadObject(const Request& req, bool allow_empty, std::string_view envelope,
                                std::initializer_list<std::string_view> keys) {
  ACTIONLOG_ASSIGN_OR_RETURN(json::object body, Body(req, allow_empty));
  if (!envelope.empty()) {
    ACTIONLOG_ASSIGN_OR_RETURN(body, Envelope(body, envelope));
  }
  if (keys.size() != 0) {
    ACTIONLOG_RETURN_IF_ERROR(CheckKeys(body, keys));
  }
  return body;
}

Response BodyError(const Error& error) {
  if (error.code == ErrorCode::kUnsupported) {
    return FaultResponse(415, error.message);
  }
  return ErrorResponse(error);
}

Response Written(bool created, std::string body) {
  return JsonResponse(created ? 201 : 200, std::move(body));
}

Result<InstanceSpec> ParseInstanceSpec(const json::object& obj, const std::string& uuid) {
  InstanceSpec spec;
  spec.uuid = uuid;
  ACTIONLOG_ASSIGN_OR_RETURN(spec.project_id, RequiredString(obj, "project_id"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.user_id, OptionalString(obj, "user_id"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.host, OptionalString(obj, "host"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.display_name, OptionalString(obj, "display_name"));
  return spec;
}

Result<StartActionSpec> ParseStartAction(const json::object& obj, const std::string& uuid) {
  StartActionSpec spec;
  spec.instance_uuid = uuid;
  ACTIONLOG_ASSIGN_OR_RETURN(spec.request_id, RequiredString(obj, "request_id"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.action, RequiredString(obj, "action"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.user_id, RequiredString(obj, "user_id"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.project_id, RequiredString(obj, "project_id"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.start_time, OptionalTime(obj, "start_time"));
  return spec;
}

Result<StartEventSpec> ParseStartEvent(const json::object& obj, const Route& route) {
  StartEventSpec spec;
  spec.instance_uuid = route.server_id;
  spec.request_id = route.request_id;
  ACTIONLOG_ASSIGN_OR_RETURN(spec.event, RequiredString(obj, "event"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.host, OptionalString(obj, "host"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.start_time, OptionalTime(obj, "start_time"));
  return spec;
}

Result<FinishEventSpec> ParseFinishEvent(const json::object& obj, const Route& route) {
  FinishEventSpec spec;
  spec.instance_uuid = route.server_id;
  spec.request_id = route.request_id;
  spec.event = route.event;
  ACTIONLOG_ASSIGN_OR_RETURN(spec.result, RequiredString(obj, "result"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.details, OptionalString(obj, "details"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.traceback, OptionalString(obj, "traceback"));
  ACTIONLOG_ASSIGN_OR_RETURN(spec.finish_time, OptionalTime(obj, "finish_time"));
  return spec;
}

}  // namespace

Response JournalHandlers::Handle(const Route& route, const Request& req,
                                 const Identity& who) const {
  if (route.kind == RouteKind::kNotFound) {
    return FaultResponse(404, "The resource could not be found.");
  }
  if (route.kind == RouteKind::kMethodNotAllowed) {
    Response res = FaultResponse(405, "The method is not allowed for this resource.");
    res.set(bhttp::field::allow, route.allow);
    return res;
  }
  if (route.kind == RouteKind::kJournalVerify) {
    return CanVerifyJournal(who)
               ? Verify()
               : FaultResponse(403, "Policy doesn't allow journal:verify to be performed.");
  }
  if (!CanWriteJournal(who)) {
    return FaultResponse(403, "Policy doesn't allow journal:write to be performed.");
  }
  const Actor actor{who.user_id, who.project_id, std::string(kActorService)};
  switch (route.kind) {
    case RouteKind::kJournalInstancePut:
      return PutInstance(route, req, actor);
    case RouteKind::kJournalInstanceGet:
      return GetInstance(route);
    case RouteKind::kJournalInstanceDelete:
      return DeleteInstance(route, actor);
    case RouteKind::kJournalActionStart:
      return StartAction(route, req, actor);
    case RouteKind::kJournalActionGet:
      return GetAction(route);
    case RouteKind::kJournalActionClone:
      return CloneAction(route, req, actor);
    case RouteKind::kJournalActionFinish:
      return FinishAction(route, req, actor);
    case RouteKind::kJournalEventStart:
      return StartEvent(route, req, actor);
    case RouteKind::kJournalEventFinish:
      return FinishEvent(route, req, actor);
    default:
      return FaultResponse(404, "The resource could not be found.");
  }
}

Response JournalHandlers::PutInstance(const Route& route, const Request& req,
                                      const Actor& actor) const {
  auto inner =
      ReadObject(req, false, "instance", {"project_id", "user_id", "host", "display_name"});
  if (!inner) {
    return BodyError(inner.error());
  }
  auto spec = ParseInstanceSpec(*inner, route.server_id);
  if (!spec) {
    return ErrorResponse(spec.error());
  }
  auto written = journal_.PutInstance(actor, *spec);
  if (!written) {
    return ErrorResponse(written.error());
  }
  return Written(written->created, RenderInstance(written->record));
}

Response JournalHandlers::GetInstance(const Route& route) const {
  auto instance = journal_.GetInstance(route.server_id);
  if (!instance) {
    return ErrorResponse(instance.error());
  }
  return JsonResponse(200, RenderInstance(*instance));
}

Response JournalHandlers::DeleteInstance(const Route& route, const Actor& actor) const {
  auto instance = journal_.DeleteInstance(actor, route.server_id);
  if (!instance) {
    return ErrorResponse(instance.error());
  }
  return JsonResponse(200, RenderInstance(*instance));
}

Response JournalHandlers::StartAction(const Route& route, const Request& req,
                                      const Actor& actor) const {
  auto inner = ReadObject(req, false, "action",
                          {"request_id", "action", "user_id", "project_id", "start_time"});
  if (!inner) {
    return BodyError(inner.error());
  }
  auto spec = ParseStartAction(*inner, route.server_id);
  if (!spec) {
    return ErrorResponse(spec.error());
  }
  auto written = journal_.StartAction(actor, *spec);
  if (!written) {
    return ErrorResponse(written.error());
  }
  return Written(written->created, RenderAction(written->record));
}

Response JournalHandlers::GetAction(const Route& route) const {
  auto record = journal_.GetAction(route.server_id, route.request_id);
  if (!record) {
    return ErrorResponse(record.error());
  }
  return JsonResponse(200, RenderActionWithEvents(*record));
}

Response JournalHandlers::CloneAction(const Route& route, const Request& req,
                                      const Actor& actor) const {
  auto inner = ReadObject(req, false, "action", {});
  if (!inner) {
    return BodyError(inner.error());
  }
  auto record = ParseActionRecord(*inner, route.server_id, route.request_id);
  if (!record) {
    return ErrorResponse(record.error());
  }
  auto written = journal_.CloneActionWithEvents(actor, *record);
  if (!written) {
    return ErrorResponse(written.error());
  }
  return Written(written->created, RenderActionWithEvents(written->record));
}

Response JournalHandlers::FinishAction(const Route& route, const Request& req,
                                       const Actor& actor) const {
  auto body = ReadObject(req, true, {}, {"finish_time"});
  if (!body) {
    return BodyError(body.error());
  }
  auto finish = OptionalTime(*body, "finish_time");
  if (!finish) {
    return ErrorResponse(finish.error());
  }
  FinishActionSpec spec;
  spec.instance_uuid = route.server_id;
  spec.request_id = route.request_id;
  spec.finish_time = *finish;
  auto written = journal_.FinishAction(actor, spec);
  if (!written) {
    return ErrorResponse(written.error());
  }
  return JsonResponse(200, RenderAction(written->record));
}

Response JournalHandlers::StartEvent(const Route& route, const Request& req,
                                     const Actor& actor) const {
  auto inner = ReadObject(req, false, "event", {"event", "host", "start_time"});
  if (!inner) {
    return BodyError(inner.error());
  }
  auto spec = ParseStartEvent(*inner, route);
  if (!spec) {
    return ErrorResponse(spec.error());
  }
  auto written = journal_.StartEvent(actor, *spec);
  if (!written) {
    return ErrorResponse(written.error());
  }
  return Written(written->created, RenderEvent(written->record));
}

Response JournalHandlers::FinishEvent(const Route& route, const Request& req,
                                      const Actor& actor) const {
  auto body = ReadObject(req, false, {}, {"result", "details", "traceback", "finish_time"});
  if (!body) {
    return BodyError(body.error());
  }
  auto spec = ParseFinishEvent(*body, route);
  if (!spec) {
    return ErrorResponse(spec.error());
  }
  auto written = journal_.FinishEvent(actor, *spec);
  if (!written) {
    return ErrorResponse(written.error());
  }
  return JsonResponse(200, RenderEvent(written->record));
}

Response JournalHandlers::Verify() const {
  auto report = journal_.Verify();
  if (!report) {
    return ErrorResponse(report.error());
  }
  return JsonResponse(200, RenderVerifyReport(*report));
}

}  // namespace actionlog::http
