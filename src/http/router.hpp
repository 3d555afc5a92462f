// Maps a request path to a route: Nova's read-only compute URLs and the /journal/v1 write API.
// Matching is on the percent-decoded path, segment by segment; an empty segment (trailing
// slash, "//") never matches a resource, as in Nova's routes mapper. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "http/http_types.hpp"

namespace actionlog::http {

enum class RouteKind {
  kNotFound,          // no route: Nova answers WebOb's 404 (JSON 404 under /journal/v1)
  kMethodNotAllowed,  // /journal/v1 only: the path exists, the method does not (405)
  kVersionsRoot,      // GET /
  kVersionChoices,    // any other path outside /v2, /v2.1 and /journal: Nova's 300 choices
  kVersionV2,         // GET /v2, /v2/
  kVersionV21,        // GET /v2.1, /v2.1/
  kActionIndex,       // GET /v2.1[/{project}]/servers/{server_id}/os-instance-actions
  kActionShow,        // GET ...os-instance-actions/{request_id}
  kServerShow,        // GET /v2.1[/{project}]/servers/{server_id}
  kServerList,        // GET /v2.1[/{project}]/servers
  kJournalInstancePut,
  kJournalInstanceGet,
  kJournalInstanceDelete,
  kJournalActionStart,   // POST /journal/v1/instances/{uuid}/actions
  kJournalActionGet,     // GET  /journal/v1/instances/{uuid}/actions/{request_id}
  kJournalActionClone,   // PUT  /journal/v1/instances/{uuid}/actions/{request_id}
  kJournalActionFinish,  // POST .../actions/{request_id}/finish
  kJournalEventStart,    // POST .../actions/{request_id}/events
  kJournalEventFinish,   // POST .../actions/{request_id}/events/{event}/finish
  kJournalVerify,        // GET  /journal/v1/verify
};

struct Route {
  RouteKind kind = RouteKind::kNotFound;
  bool legacy_v2 = false;  // under /v2: microversion headers ignored and not sent
  bool journal = false;    // under /journal/v1
  std::string project_id;  // from /v2.1/{project_id}/..., empty when absent
  std::string server_id;   // Nova server id or journal instance uuid
  std::string request_id;
  std::string event;
  std::string allow;  // for kMethodNotAllowed: the Allow header value
};

// `path` is the decoded path without the query string.
Route MatchRoute(bhttp::verb method, std::string_view path);

// `raw_path` is the request target's path as sent (percent-encoded, no query string). Nova's
// paths are decoded whole and then matched (WSGI decodes PATH_INFO before Nova's router sees it,
// so %2F is a separator there too); /journal/v1/ paths are split first and each segment decoded.
Route MatchTarget(bhttp::verb method, std::string_view raw_path);

// True for the paths Nova serves without credentials (version documents).
bool IsPublicRoute(const Route& route);

}  // namespace actionlog::http
