#include "http/nova_handlers.hpp"

#include "http/nova_query.hpp"
#include "http/nova_views.hpp"
#include "http/policy.hpp"
#include "http/responses.hpp"

namespace actionlog::http {
namespace {

constexpr int kMaxServerScan = 100000;

Error InstanceNotFound(std::string_view server_id) {
  return MakeError(ErrorCode::kNotFound,
                   "Instance " + std::string(server_id) + " could not be found.");
}

std::string NextLinkPrefix(const NovaRequest& req) {
  std::string prefix(req.app_url);
  const std::string& project = req.identity.project_id;
  if (!project.empty() && req.full_url.find(project) != std::string_view::npos) {
    prefix += "/" + project;
  }
  return prefix;
}

}  // namespace

Result<Instance> NovaHandlers::LookupInstance(const NovaRequest& req, bool read_deleted) const {
  const std::string& server_id = req.route.server_id;
  auto instance = journal_.GetInstance(server_id);
  if (!instance) {
    const ErrorCode code = instance.error().code;
    if (code == ErrorCode::kNotFound || code == ErrorCode::kInvalidArgument) {
      return InstanceNotFound(server_id);
    }
    return instance.error();
  }
  if (!CanSeeInstance(req.identity, *instance) || (instance->IsDeleted() && !read_deleted)) {
    return InstanceNotFound(server_id);
  }
  return instance;
}

Response NovaHandlers::ActionIndex(const NovaRequest& req) const {
  if (!req.version.AtLeast(58)) {
    auto instance = LookupInstance(req, req.version.AtLeast(21));
    if (!instance) {
      return ErrorResponse(instance.error());
    }
    ListActionsSpec spec;
    spec.instance_uuid = instance->uuid;
    auto actions = journal_.ListActions(spec);
    if (!actions) {
      return ErrorResponse(actions.error());
    }
    return JsonResponse(200, RenderActionIndex(*actions, req.version, std::nullopt));
  }
  return ListPage(req);
}

Response NovaHandlers::ListPage(const NovaRequest& req) const {
  bool utf8_ok = true;
  const std::vector<QueryParam> params = ParseQueryString(req.query, utf8_ok);
  auto query = ParseIndexQuery(params, utf8_ok, req.version, max_limit_);
  if (!query) {
    return ErrorResponse(query.error());
  }
  auto instance = LookupInstance(req, true);
  if (!instance) {
    return ErrorResponse(instance.error());
  }
  if (auto window = CheckTimeWindow(*query); !window) {
    return ErrorResponse(window.error());
  }
  ListActionsSpec spec;
  spec.instance_uuid = instance->uuid;
  spec.limit = query->limit;
  spec.marker = query->marker;
  spec.changes_since = query->changes_since;
  spec.changes_before = query->changes_before;
  auto actions = journal_.ListActions(spec);
  if (!actions) {
    if (actions.error().code == ErrorCode::kInvalidArgument && query->marker) {
      return FaultResponse(400, "Marker None could not be found.");
    }
    return ErrorResponse(actions.error());
  }
  std::optional<std::string> next;
  if (query->limit > 0 && static_cast<std::int64_t>(actions->size()) == query->limit) {
    next =
        BuildNextLink(NextLinkPrefix(req), req.route.server_id, params, actions->back().request_id);
  }
  return JsonResponse(200, RenderActionIndex(*actions, req.version, next));
}

Response NovaHandlers::ActionShow(const NovaRequest& req) const {
  auto instance = LookupInstance(req, req.version.AtLeast(21));
  if (!instance) {
    return ErrorResponse(instance.error());
  }
  auto record = journal_.GetAction(instance->uuid, req.route.request_id);
  if (!record) {
    const ErrorCode code = record.error().code;
    if (code == ErrorCode::kNotFound || code == ErrorCode::kInvalidArgument) {
      return FaultResponse(404, "Action " + req.route.request_id + " not found");
    }
    return ErrorResponse(record.error());
  }
  return JsonResponse(200, RenderActionShow(*record, instance->project_id, req.version,
                                            CanSeeEventInternals(req.identity)));
}

Response NovaHandlers::ServerShow(const NovaRequest& req) const {
  auto instance = LookupInstance(req, false);
  if (!instance) {
    return ErrorResponse(instance.error());
  }
  return JsonResponse(200, RenderServer(*instance, req.app_url, req.host_url));
}

Response NovaHandlers::ServerList(const NovaRequest& req) const {
  bool utf8_ok = true;
  std::string name;
  for (const QueryParam& p : ParseQueryString(req.query, utf8_ok)) {
    if (p.key == "name") {
      name = p.value;
    }
  }
  std::vector<Instance> found;
  const Status status = journal_.store().Read([&](store::ReadTransaction& tx) -> Status {
    std::int64_t after = 0;
    int scanned = 0;
    while (scanned < kMaxServerScan) {
      ACTIONLOG_ASSIGN_OR_RETURN(std::vector<Instance> batch, tx.ScanInstances(after, 1000));
      if (batch.empty()) {
        break;
      }
      after = batch.back().id;
      scanned += static_cast<int>(batch.size());
      for (Instance& inst : batch) {
        const bool match = name.empty() || (inst.display_name &&
                                            inst.display_name->find(name) != std::string::npos);
        if (!inst.IsDeleted() && CanSeeInstance(req.identity, inst) && match) {
          found.push_back(std::move(inst));
        }
      }
    }
    return OkStatus();
  });
  if (!status) {
    return ErrorResponse(status.error());
  }
  return JsonResponse(200, RenderServerList(found, req.app_url, req.host_url));
}

}  // namespace actionlog::http
