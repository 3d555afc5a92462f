#include "http/responses.hpp"

#include <algorithm>
#include <cstdlib>

#include <boost/beast/http/field.hpp>
#include <spdlog/spdlog.h>

#include "http/json_writer.hpp"

namespace actionlog::http {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kJsonUtf8 = "application/json; charset=UTF-8";

Response MakeResponse(unsigned status, std::string_view content_type, std::string body) {
  Response res;
  res.result(status);
  res.set(bhttp::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

struct AcceptItem {
  std::string_view type;
  double q = 1.0;
};

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') {
    s.remove_prefix(1);
  }
  while (!s.empty() && s.back() == ' ') {
    s.remove_suffix(1);
  }
  return s;
}

// "text/html;q=0.5" -> {"text/html", 0.5}.
AcceptItem ParseAcceptItem(std::string_view item) {
  AcceptItem out;
  const std::size_t semi = item.find(';');
  if (semi != std::string_view::npos) {
    const std::size_t qpos = item.find("q=", semi);
    if (qpos != std::string_view::npos) {
      out.q = std::strtod(std::string(item.substr(qpos + 2)).c_str(), nullptr);
    }
    item = item.substr(0, semi);
  }
  out.type = TrimSpaces(item);
  return out;
}

// WebOb's Accept matching between text/html and application/json; anything else is plain.
std::string_view PreferredErrorType(std::string_view accept) {
  double html_q = -1;
  double json_q = -1;
  std::size_t start = 0;
  while (start < accept.size()) {
    std::size_t comma = accept.find(',', start);
    if (comma == std::string_view::npos) {
      comma = accept.size();
    }
    const AcceptItem item = ParseAcceptItem(accept.substr(start, comma - start));
    start = comma + 1;
    if (item.q <= 0) {
      continue;
    }
    if (item.type == "text/html" || item.type == "text/*" || item.type == "*/*") {
      html_q = std::max(html_q, item.q);
    }
    if (item.type == "application/json" || item.type == "application/*" || item.type == "*/*") {
      json_q = std::max(json_q, item.q);
    }
  }
  if (html_q < 0 && json_q < 0) {
    return "text/plain";
  }
  return html_q >= json_q ? "text/html" : "application/json";
}

}  // namespace

Response JsonResponse(unsigned status, std::string body) {
  return MakeResponse(status, kJson, std::move(body));
}

std::string_view FaultName(unsigned status) {
  switch (status) {
    case 400:
      return "badRequest";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "itemNotFound";
    case 405:
      return "badMethod";
    case 409:
      return "conflictingRequest";
    case 413:
    case 429:
      return "overLimit";
    case 415:
      return "badMediaType";
    case 501:
      return "notImplemented";
    case 503:
      return "serviceUnavailable";
    default:
      return "computeFault";
  }
}

Response FaultResponse(unsigned status, std::string_view message) {
  std::string body;
  body.reserve(64 + message.size());
  JsonWriter w(body);
  w.BeginObject();
  w.Key(FaultName(status));
  w.BeginObject();
  w.Field("code", static_cast<std::int64_t>(status));
  w.Field("message", message);
  w.EndObject();
  w.EndObject();
  return MakeResponse(status, kJsonUtf8, std::move(body));
}

unsigned ToHttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kUnsupported:
      return 501;
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(const Error& error) {
  const unsigned status = ToHttpStatus(error.code);
  if (status == 500) {
    spdlog::error("internal error ({}): {}", ErrorCodeName(error.code), error.message);
    return FaultResponse(
        500,
        "Unexpected API Error. Please report this at "
        "http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.");
  }
  if (status == 503) {
    // The store's message names files, hosts and driver errors: it goes to the log only.
    spdlog::warn("store unavailable: {}", error.message);
    return FaultResponse(503, kUnavailableMessage);
  }
  return FaultResponse(status, error.message);
}

Response WebObNotFound(std::string_view accept) {
  const std::string_view type = PreferredErrorType(accept);
  if (type == "application/json") {
    return MakeResponse(404, "application/json",
                        "{\"message\": \"The resource could not be found.<br /><br />\\n\\n\\n\", "
                        "\"code\": \"404 Not Found\", \"title\": \"Not Found\"}");
  }
  if (type == "text/html") {
    return MakeResponse(404, "text/html; charset=UTF-8",
                        "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  "
                        "<h1>404 Not Found</h1>\n  The resource could not be found.<br /><br "
                        "/>\n\n\n\n </body>\n</html>");
  }
  return MakeResponse(404, "text/plain; charset=UTF-8",
                      "404 Not Found\n\nThe resource could not be found.\n\n   ");
}

Response KeystoneUnauthorized() {
  Response res = MakeResponse(401, kJson,
                              "{\"error\": {\"code\": 401, \"title\": \"Unauthorized\", "
                              "\"message\": \"The request you have made requires "
                              "authentication.\"}}");
  res.set(bhttp::field::www_authenticate, "Keystone uri=\"http://127.0.0.1/identity\"");
  return res;
}

void AddVersionHeaders(Response& res, std::string_view version) {
  std::string standard = "compute ";
  standard.append(version);
  res.set("OpenStack-API-Version", standard);
  res.set("X-OpenStack-Nova-API-Version", version);
  res.insert(bhttp::field::vary, "OpenStack-API-Version");
  res.insert(bhttp::field::vary, "X-OpenStack-Nova-API-Version");
}

}  // namespace actionlog::http
