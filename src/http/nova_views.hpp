// Nova's JSON views: version documents, os-instance-actions index/show, and the minimal server
// documents clients need. Output is byte-compatible with Nova's json.dumps. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actionlog/core/types.hpp"
#include "http/microversion.hpp"

namespace actionlog::http {

// `host_url` is "http://host[:port]" as the client addressed us.
std::string RenderVersionsRoot(std::string_view host_url);
// Nova's 300 document for a path outside the API versions: each version's link is the version
// prefix joined with `path` (percent-decoded; written back with WebOb's quoting).
std::string RenderVersionChoices(std::string_view host_url, std::string_view path);
std::string RenderVersionV21(std::string_view host_url);
std::string RenderVersionV2(std::string_view host_url);

// {"instanceActions": [...], "links": [{"rel": "next", "href": ...}]}.
std::string RenderActionIndex(const std::vector<Action>& actions, ApiVersion version,
                              const std::optional<std::string>& next_href);

// {"instanceAction": {...}} with events filtered by microversion and policy.
// `instance_project` is used for hostId when the action has no project.
std::string RenderActionShow(const ActionWithEvents& record,
                             const std::optional<std::string>& instance_project, ApiVersion version,
                             bool event_internals);

// hostId: sha224(project + host) in hex, "" without a host.
std::string HostId(const std::optional<std::string>& project,
                   const std::optional<std::string>& host);

// {"server": {...}} (the fields clients read) and {"servers": [...]}.
std::string RenderServer(const Instance& instance, std::string_view app_url,
                         std::string_view host_url);
std::string RenderServerList(const std::vector<Instance>& instances, std::string_view app_url,
                             std::string_view host_url);

}  // namespace actionlog::http
