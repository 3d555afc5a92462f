#include "http/service.hpp"

#include <iterator>
#include <vector>

#include <boost/beast/http/field.hpp>

#include "http/nova_views.hpp"
#include "http/python_compat.hpp"
#include "http/request_id.hpp"
#include "http/responses.hpp"

namespace actionlog::http {
namespace {

std::string_view Header(const Request& req, std::string_view name) {
  const auto it = req.find(name);
  return it == req.end() ? std::string_view() : std::string_view(it->value());
}

std::vector<std::string_view> HeaderLines(const Request& req, std::string_view name) {
  std::vector<std::string_view> lines;
  auto range = req.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) {
    lines.emplace_back(it->value());
  }
  return lines;
}

// A credential header sent more than once is ambiguous (which one did the proxy set?): it counts
// as absent, so the request carries no identity from it.
std::string_view SingleHeader(const Request& req, std::string_view name) {
  const auto range = req.equal_range(name);
  if (range.first == range.second || std::next(range.first) != range.second) {
    return {};
  }
  return range.first->value();
}

Credentials CredentialsOf(const Request& req, const ClientInfo& client) {
  Credentials c;
  c.auth_token = SingleHeader(req, "X-Auth-Token");
  c.user_id = SingleHeader(req, "X-User-Id");
  c.project_id = SingleHeader(req, "X-Project-Id");
  c.roles = SingleHeader(req, "X-Roles");
  c.peer_address = client.peer_address;
  return c;
}

// Nova's _update_link_prefix: scheme and host from the prefix, its path before ours.
std::string ApplyLinkPrefix(const std::string& prefix, std::string_view path) {
  std::string out = prefix;
  while (!out.empty() && out.back() == '/') {
    out.pop_back();
  }
  out.append(path);
  return out;
}

}  // namespace

Service::Service(std::shared_ptr<Journal> journal, std::shared_ptr<const Authenticator> auth,
                 ServiceOptions options, std::shared_ptr<Journal> nova_reads)
    : journal_(std::move(journal)),
      nova_journal_(nova_reads != nullptr ? std::move(nova_reads) : journal_),
      auth_(std::move(auth)),
      options_(std::move(options)),
      nova_(*nova_journal_, options_.max_limit),
      journal_handlers_(*journal_) {}

bool Service::IsWrite(const Request& req) {
  const bhttp::verb m = req.method();
  const bool writes = m == bhttp::verb::post || m == bhttp::verb::put ||
                      m == bhttp::verb::delete_ || m == bhttp::verb::patch;
  return writes && req.target().starts_with("/journal/");
}

std::string Service::HostUrl(const Request& req) const {
  std::string_view host = Header(req, "Host");
  if (host.empty()) {
    host = options_.default_host;
  }
  return "http://" + std::string(host);
}

Response Service::Handle(const Request& req, const ClientInfo& client, AccessInfo& access) const {
  access.request_id = NewRequestId();
  Response res = Dispatch(req, client, access);
  if (!access.request_id.empty()) {
    res.set("x-openstack-request-id", access.request_id);
    res.set("x-compute-request-id", access.request_id);
  }
  return res;
}

Response Service::Dispatch(const Request& req, const ClientInfo& client, AccessInfo& access) const {
  const std::string_view target = req.target();
  const std::size_t qmark = target.find('?');
  const std::string_view raw_path = target.substr(0, qmark);
  const Route route = MatchTarget(req.method(), raw_path);
  if (route.kind == RouteKind::kVersionsRoot) {
    access.request_id.clear();  // Nova's root pipeline has no request-id middleware
    return JsonResponse(200, RenderVersionsRoot(HostUrl(req)));
  }
  if (route.kind == RouteKind::kVersionChoices) {
    access.request_id.clear();
    return JsonResponse(300, RenderVersionChoices(HostUrl(req), PercentDecode(raw_path)));
  }
  const std::optional<Identity> who = auth_->Authenticate(CredentialsOf(req, client));
  if (who) {
    access.user_id = who->user_id;
    access.project_id = who->project_id;
  }
  if (!who && !IsPublicRoute(route)) {
    return route.journal ? FaultResponse(401, "The request you have made requires authentication.")
                         : KeystoneUnauthorized();
  }
  if (route.journal) {
    return journal_handlers_.Handle(route, req, *who);
  }
  if (route.kind == RouteKind::kNotFound) {
    return WebObNotFound(Header(req, "Accept"));
  }
  return HandleNova(req, route, who, access);
}

Response Service::HandleNova(const Request& req, const Route& route,
                             const std::optional<Identity>& who, AccessInfo& access) const {
  ApiVersion version = kMinApiVersion;
  if (!route.legacy_v2) {
    const NegotiatedVersion nv = NegotiateVersion(HeaderLines(req, "OpenStack-API-Version"),
                                                  HeaderLines(req, "X-OpenStack-Nova-API-Version"));
    if (nv.outcome == VersionOutcome::kInvalid) {
      return FaultResponse(400, nv.message);
    }
    access.microversion = nv.echo;
    if (nv.outcome == VersionOutcome::kUnsupported) {
      Response res = FaultResponse(406, nv.message);
      AddVersionHeaders(res, nv.echo);
      return res;
    }
    version = nv.version;
  }
  Response res;
  if (route.kind == RouteKind::kVersionV21 || route.kind == RouteKind::kVersionV2) {
    const std::string host_url = HostUrl(req);
    res = JsonResponse(200, route.kind == RouteKind::kVersionV21 ? RenderVersionV21(host_url)
                                                                 : RenderVersionV2(host_url));
  } else if (!route.project_id.empty() && route.project_id != who->project_id) {
    res = FaultResponse(400, "Malformed request URL: URL's project_id '" + route.project_id +
                                 "' doesn't match Context's project_id '" + who->project_id + "'");
  } else {
    res = CallNova(req, route, *who, version);
  }
  if (!route.legacy_v2) {
    AddVersionHeaders(res, access.microversion);
  }
  return res;
}

Response Service::CallNova(const Request& req, const Route& route, const Identity& who,
                           ApiVersion version) const {
  const std::string_view target = req.target();
  const std::size_t qmark = target.find('?');
  const std::string host_url = HostUrl(req);
  const std::string_view root = route.legacy_v2 ? "/v2" : "/v2.1";
  const std::string app_url = options_.compute_link_prefix.empty()
                                  ? host_url + std::string(root)
                                  : ApplyLinkPrefix(options_.compute_link_prefix, root);
  const std::string full_url = host_url + std::string(target);
  const NovaRequest nova_req{
      route,   who,
      version, qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1),
      app_url, host_url,
      full_url};
  switch (route.kind) {
    case RouteKind::kActionIndex:
      return nova_.ActionIndex(nova_req);
    case RouteKind::kActionShow:
      return nova_.ActionShow(nova_req);
    case RouteKind::kServerShow:
      return nova_.ServerShow(nova_req);
    case RouteKind::kServerList:
      return nova_.ServerList(nova_req);
    default:
      return WebObNotFound(Header(req, "Accept"));
  }
}

}  // namespace actionlog::http
