// Building responses: Nova's fault envelopes, WebOb's 404 page, keystonemiddleware's 401,
// microversion headers, and the mapping from ErrorCode to HTTP status. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "actionlog/core/error.hpp"
#include "http/http_types.hpp"

namespace actionlog::http {

// 200/201 with Content-Type: application/json.
Response JsonResponse(unsigned status, std::string body);

// {"<faultName>": {"code": N, "message": "..."}} with application/json; charset=UTF-8.
Response FaultResponse(unsigned status, std::string_view message);

// The fault name Nova uses for a status: badRequest, itemNotFound, computeFault, ...
std::string_view FaultName(unsigned status);

// One mapping from ErrorCode to HTTP status for the whole service.
unsigned ToHttpStatus(ErrorCode code);

// The message of every 503: the store is busy, full, failing or unreachable (the cause is
// logged, never sent).
inline constexpr std::string_view kUnavailableMessage =
    "The journal store is temporarily unavailable. Retry the request later.";

// A fault for an error from the journal or the store. Internal details are not exposed for
// kInternal / kDataLoss (500) and kUnavailable (503); they are logged.
Response ErrorResponse(const Error& error);

// WebOb's default 404 page, in the form the Accept header selects (plain, HTML or JSON).
Response WebObNotFound(std::string_view accept);

// keystonemiddleware's 401 for a request without usable credentials.
Response KeystoneUnauthorized();

// OpenStack-API-Version, X-OpenStack-Nova-API-Version and two Vary lines.
void AddVersionHeaders(Response& res, std::string_view version);

}  // namespace actionlog::http
