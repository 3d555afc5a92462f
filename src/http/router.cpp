#include "http/router.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "http/python_compat.hpp"

namespace actionlog::http {
namespace {

using Segments = std::vector<std::string_view>;

Segments Split(std::string_view path) {
  Segments out;
  if (path.empty() || path.front() != '/') {
    return out;
  }
  path.remove_prefix(1);
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    out.push_back(path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return out;
}

bool AnyEmpty(const Segments& s) {
  return std::any_of(s.begin(), s.end(), [](std::string_view x) { return x.empty(); });
}

bool IsProjectSegment(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
  });
}

// Segments after /v2.1 or /v2: [project/]servers/...
Route MatchCompute(bhttp::verb method, Segments s) {
  Route r;
  if (AnyEmpty(s) || s.empty()) {
    return r;
  }
  if (s.front() != "servers" && s.size() >= 2 && IsProjectSegment(s.front())) {
    r.project_id = std::string(s.front());
    s.erase(s.begin());
  }
  if (s.empty() || s.front() != "servers" || method != bhttp::verb::get) {
    return r;
  }
  if (s.size() == 1) {
    r.kind = RouteKind::kServerList;
  } else if (s.size() == 2) {
    r.kind = RouteKind::kServerShow;
    r.server_id = std::string(s[1]);
  } else if (s[2] == "os-instance-actions" && (s.size() == 3 || s.size() == 4)) {
    r.server_id = std::string(s[1]);
    r.kind = s.size() == 3 ? RouteKind::kActionIndex : RouteKind::kActionShow;
    if (s.size() == 4) {
      r.request_id = std::string(s[3]);
    }
  }
  return r;
}

Route Allowed(bhttp::verb method,
              std::initializer_list<std::pair<bhttp::verb, RouteKind>> options) {
  Route r;
  r.journal = true;
  for (const auto& [verb, kind] : options) {
    if (verb == method) {
      r.kind = kind;
      return r;
    }
  }
  r.kind = RouteKind::kMethodNotAllowed;
  for (const auto& option : options) {
    if (!r.allow.empty()) {
      r.allow += ", ";
    }
    r.allow += std::string(bhttp::to_string(option.first));
  }
  return r;
}

Route MatchActionPaths(bhttp::verb method, const Segments& s) {
  using V = bhttp::verb;
  // s: instances/{uuid}/actions[/{request_id}[/finish | /events[/{event}/finish]]]
  if (s.size() == 3) {
    return Allowed(method, {{V::post, RouteKind::kJournalActionStart}});
  }
  if (s.size() == 4) {
    return Allowed(
        method, {{V::get, RouteKind::kJournalActionGet}, {V::put, RouteKind::kJournalActionClone}});
  }
  if (s.size() == 5 && s[4] == "finish") {
    return Allowed(method, {{V::post, RouteKind::kJournalActionFinish}});
  }
  if (s.size() == 5 && s[4] == "events") {
    return Allowed(method, {{V::post, RouteKind::kJournalEventStart}});
  }
  if (s.size() == 7 && s[4] == "events" && s[6] == "finish") {
    return Allowed(method, {{V::post, RouteKind::kJournalEventFinish}});
  }
  Route r;
  r.journal = true;
  return r;
}

Route MatchJournal(bhttp::verb method, const Segments& s) {
  using V = bhttp::verb;
  Route r;
  r.journal = true;
  if (AnyEmpty(s) || s.empty()) {
    return r;
  }
  if (s.size() == 1 && s[0] == "verify") {
    return Allowed(method, {{V::get, RouteKind::kJournalVerify}});
  }
  if (s[0] != "instances" || s.size() < 2) {
    return r;
  }
  if (s.size() == 2) {
    r = Allowed(method, {{V::get, RouteKind::kJournalInstanceGet},
                         {V::put, RouteKind::kJournalInstancePut},
                         {V::delete_, RouteKind::kJournalInstanceDelete}});
  } else if (s[2] == "actions") {
    r = MatchActionPaths(method, s);
  } else {
    return r;
  }
  r.server_id = std::string(s[1]);
  if (s.size() >= 4) {
    r.request_id = std::string(s[3]);
  }
  if (s.size() == 7) {
    r.event = std::string(s[5]);
  }
  return r;
}

}  // namespace

Route MatchTarget(bhttp::verb method, std::string_view raw_path) {
  constexpr std::string_view kJournalPrefix = "/journal/v1/";
  if (raw_path.substr(0, kJournalPrefix.size()) != kJournalPrefix) {
    return MatchRoute(method, PercentDecode(raw_path));
  }
  // Split first, then decode each segment: a request id or an event name holding '/' (which
  // the journal accepts) is addressable as %2F.
  const Segments raw = Split(raw_path);
  std::vector<std::string> decoded;
  decoded.reserve(raw.size());
  for (const std::string_view segment : raw) {
    decoded.push_back(PercentDecode(segment));
  }
  return MatchJournal(method, Segments(decoded.begin() + 2, decoded.end()));
}

Route MatchRoute(bhttp::verb method, std::string_view path) {
  Segments s = Split(path);
  Route r;
  if (s.empty()) {
    return r;
  }
  const bool get = method == bhttp::verb::get;
  if (s.size() == 1 && s[0].empty()) {
    r.kind = get ? RouteKind::kVersionsRoot : RouteKind::kNotFound;
    return r;
  }
  if (s[0] == "journal") {
    if (s.size() >= 2 && s[1] == "v1") {
      return MatchJournal(method, Segments(s.begin() + 2, s.end()));
    }
    r.journal = true;
    return r;
  }
  if (s[0] != "v2.1" && s[0] != "v2") {
    // Nova's URL map sends every other path to its root app, which answers any method with
    // 300 Multiple Choices (versions.py Versions.multi).
    r.kind = RouteKind::kVersionChoices;
    return r;
  }
  const bool legacy = s[0] == "v2";
  if (s.size() == 1 || (s.size() == 2 && s[1].empty())) {
    if (get) {
      r.kind = legacy ? RouteKind::kVersionV2 : RouteKind::kVersionV21;
    }
    r.legacy_v2 = legacy;
    return r;
  }
  r = MatchCompute(method, Segments(s.begin() + 1, s.end()));
  r.legacy_v2 = legacy;
  return r;
}

bool IsPublicRoute(const Route& route) {
  return route.kind == RouteKind::kVersionsRoot || route.kind == RouteKind::kVersionChoices ||
         route.kind == RouteKind::kVersionV2 || route.kind == RouteKind::kVersionV21;
}

}  // namespace actionlog::http
