#include "http/nova_views.hpp"

#include "actionlog/core/change_log.hpp"
#include "http/json_writer.hpp"

namespace actionlog::http {
namespace {

constexpr std::string_view kV21Updated = "2013-07-23T11:33:21Z";
constexpr std::string_view kV20Updated = "2011-01-21T11:33:21Z";

void WriteLink(JsonWriter& w, std::string_view rel, std::string_view href) {
  w.BeginObject();
  w.Field("rel", rel);
  w.Field("href", href);
  w.EndObject();
}

void WriteVersionHead(JsonWriter& w, bool v21) {
  w.Field("id", v21 ? "v2.1" : "v2.0");
  w.Field("status", v21 ? "CURRENT" : "SUPPORTED");
  w.Field("version", v21 ? kMaxApiVersionString : "");
  w.Field("min_version", v21 ? "2.1" : "");
  w.Field("updated", v21 ? kV21Updated : kV20Updated);
}

void WriteMediaTypes(JsonWriter& w, bool v21) {
  w.Key("media-types");
  w.BeginArray();
  w.BeginObject();
  w.Field("base", "application/json");
  w.Field("type", v21 ? "application/vnd.openstack.compute+json;version=2.1"
                      : "application/vnd.openstack.compute+json;version=2");
  w.EndObject();
  w.EndArray();
}

std::string RenderVersionDoc(std::string_view host_url, bool v21) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("version");
  w.BeginObject();
  WriteVersionHead(w, v21);
  w.Key("links");
  w.BeginArray();
  WriteLink(w, "self", std::string(host_url) + (v21 ? "/v2.1/" : "/v2/"));
  w.BeginObject();
  w.Field("rel", "describedby");
  w.Field("type", "text/html");
  w.Field("href", "http://docs.openstack.org/");
  w.EndObject();
  w.EndArray();
  WriteMediaTypes(w, v21);
  w.EndObject();
  w.EndObject();
  return out;
}

void WriteActionFields(JsonWriter& w, const Action& a, ApiVersion version) {
  w.Field("action", a.action);
  w.Field("instance_uuid", a.instance_uuid);
  w.Field("request_id", a.request_id);
  w.Field("user_id", a.user_id);
  w.Field("project_id", a.project_id);
  w.Field("start_time", a.start_time);
  w.Field("message", a.message);
  if (version.AtLeast(58)) {
    w.Field("updated_at", a.updated_at);
  }
}

void WriteEvent(JsonWriter& w, const Event& e, const std::optional<std::string>& project,
                ApiVersion version, bool internals) {
  w.BeginObject();
  w.Field("event", e.event);
  w.Field("start_time", e.start_time);
  w.Field("finish_time", e.finish_time);
  w.Field("result", e.result);
  if (internals) {
    w.Field("traceback", e.traceback);
  }
  if (version.AtLeast(62)) {
    if (internals) {
      w.Field("host", e.host);
    }
    w.Field("hostId", HostId(project, e.host));
  }
  if (version.AtLeast(84) && internals) {
    w.Field("details", e.details);
  }
  w.EndObject();
}

void WriteServerSummary(JsonWriter& w, const Instance& inst, std::string_view app_url,
                        std::string_view host_url) {
  w.Field("id", inst.uuid);
  w.Key("links");
  w.BeginArray();
  WriteLink(w, "self", std::string(app_url) + "/servers/" + inst.uuid);
  WriteLink(w, "bookmark", std::string(host_url) + "/servers/" + inst.uuid);
  w.EndArray();
  w.Field("name", inst.display_name);
}

}  // namespace

std::string RenderVersionsRoot(std::string_view host_url) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("versions");
  w.BeginArray();
  for (const bool v21 : {false, true}) {
    w.BeginObject();
    WriteVersionHead(w, v21);
    w.Key("links");
    w.BeginArray();
    WriteLink(w, "self", std::string(host_url) + (v21 ? "/v2.1/" : "/v2/"));
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

namespace {

// WebOb's Request.path: the decoded path quoted again, keeping Python's always-safe characters
// and "/~!$&'()*+,;=:@".
std::string QuotePath(std::string_view path) {
  static constexpr std::string_view kSafe = "_.-~/!$&'()*+,;=:@";
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        kSafe.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4U];
      out += kHex[c & 0xFU];
    }
  }
  return out;
}

// Nova's common.url_join: parts stripped of '/' and joined with '/'.
std::string UrlJoin(std::string_view host_url, std::string_view version, std::string_view path) {
  auto strip = [](std::string_view p) {
    while (!p.empty() && p.front() == '/') {
      p.remove_prefix(1);
    }
    while (!p.empty() && p.back() == '/') {
      p.remove_suffix(1);
    }
    return p;
  };
  std::string out(strip(host_url));
  out += '/';
  out += version;
  if (const std::string_view rest = strip(path); !rest.empty()) {
    out += '/';
    out += rest;
  }
  return out;
}

}  // namespace

std::string RenderVersionChoices(std::string_view host_url, std::string_view path) {
  const std::string quoted = QuotePath(path);
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("choices");
  w.BeginArray();
  for (const bool v21 : {false, true}) {
    w.BeginObject();
    w.Field("id", v21 ? "v2.1" : "v2.0");
    w.Field("status", v21 ? "CURRENT" : "SUPPORTED");
    w.Key("links");
    w.BeginArray();
    WriteLink(w, "self", UrlJoin(host_url, v21 ? "v2.1" : "v2", quoted));
    w.EndArray();
    WriteMediaTypes(w, v21);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

std::string RenderVersionV21(std::string_view host_url) { return RenderVersionDoc(host_url, true); }

std::string RenderVersionV2(std::string_view host_url) { return RenderVersionDoc(host_url, false); }

std::string RenderActionIndex(const std::vector<Action>& actions, ApiVersion version,
                              const std::optional<std::string>& next_href) {
  std::string out;
  out.reserve(64 + actions.size() * 360);
  JsonWriter w(out);
  w.BeginObject();
  w.Key("instanceActions");
  w.BeginArray();
  for (const Action& a : actions) {
    w.BeginObject();
    WriteActionFields(w, a, version);
    w.EndObject();
  }
  w.EndArray();
  if (next_href) {
    w.Key("links");
    w.BeginArray();
    WriteLink(w, "next", *next_href);
    w.EndArray();
  }
  w.EndObject();
  return out;
}

std::string RenderActionShow(const ActionWithEvents& record,
                             const std::optional<std::string>& instance_project, ApiVersion version,
                             bool event_internals) {
  std::string out;
  out.reserve(512 + record.events.size() * 400);
  JsonWriter w(out);
  w.BeginObject();
  w.Key("instanceAction");
  w.BeginObject();
  WriteActionFields(w, record.action, version);
  if (event_internals || version.AtLeast(51)) {
    const auto& action_project = record.action.project_id;
    const std::optional<std::string>& project =
        (action_project && !action_project->empty()) ? action_project : instance_project;
    w.Key("events");
    w.BeginArray();
    for (const Event& e : record.events) {
      WriteEvent(w, e, project, version, event_internals);
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
  return out;
}

std::string HostId(const std::optional<std::string>& project,
                   const std::optional<std::string>& host) {
  if (!host || host->empty()) {
    return {};
  }
  return Sha224Hex(project.value_or(std::string()) + *host);
}

std::string RenderServer(const Instance& instance, std::string_view app_url,
                         std::string_view host_url) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("server");
  w.BeginObject();
  WriteServerSummary(w, instance, app_url, host_url);
  w.Field("tenant_id", instance.project_id);
  w.Field("user_id", instance.user_id);
  w.Field("hostId", HostId(instance.project_id, instance.host));
  w.EndObject();
  w.EndObject();
  return out;
}

std::string RenderServerList(const std::vector<Instance>& instances, std::string_view app_url,
                             std::string_view host_url) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("servers");
  w.BeginArray();
  for (const Instance& inst : instances) {
    w.BeginObject();
    WriteServerSummary(w, inst, app_url, host_url);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace actionlog::http
