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

Result<Instance> NovaHandlers::LookupInstance(JournalReader& reader, const NovaRequest& req,
                                              bool read_deleted) {
  const std::string& server_id = req.route.server_id;
  auto instance = reader.GetInstance(server_id);
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
  if (req.version.AtLeast(58)) {
    return ListPage(req);
  }
  std::vector<Action> actions;
  const Status status = journal_.Read([&](JournalReader& reader) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const Instance instance,
                               LookupInstance(reader, req, req.version.AtLeast(21)));
    ListActionsSpec spec;
    spec.instance_uuid = instance.uuid;
    ACTIONLOG_ASSIGN_OR_RETURN(actions, reader.ListActions(spec));
    return OkStatus();
  });
  if (!status) {
    return ErrorResponse(status.error());
  }
  return JsonResponse(200, RenderActionIndex(actions, req.version, std::nullopt));
}

Response NovaHandlers::ListPage(const NovaRequest& req) const {
  bool utf8_ok = true;
  const std::vector<QueryParam> params = ParseQueryString(req.query, utf8_ok);
  auto query = ParseIndexQuery(params, utf8_ok, req.version, max_limit_);
  if (!query) {
    return ErrorResponse(query.error());
  }
  std::vector<Action> actions;
  const Status status = journal_.Read([&](JournalReader& reader) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const Instance instance, LookupInstance(reader, req, true));
    ACTIONLOG_RETURN_IF_ERROR(CheckTimeWindow(*query));
    ListActionsSpec spec;
    spec.instance_uuid = instance.uuid;
    spec.limit = query->limit;
    spec.marker = query->marker;
    spec.changes_since = query->changes_since;
    spec.changes_before = query->changes_before;
    auto page = reader.ListActions(spec);
    if (!page) {
      if (page.error().code == ErrorCode::kInvalidArgument && query->marker) {
        return MakeError(ErrorCode::kInvalidArgument, "Marker None could not be found.");
      }
      return page.error();
    }
    actions = std::move(*page);
    return OkStatus();
  });
  if (!status) {
    return ErrorResponse(status.error());
  }
  std::optional<std::string> next;
  if (query->limit > 0 && static_cast<std::int64_t>(actions.size()) == query->limit) {
    next =
        BuildNextLink(NextLinkPrefix(req), req.route.server_id, params, actions.back().request_id);
  }
  return JsonResponse(200, RenderActionIndex(actions, req.version, next));
}

Response NovaHandlers::ActionShow(const NovaRequest& req) const {
  std::optional<std::string> project_id;
  ActionWithEvents record;
  const Status status = journal_.Read([&](JournalReader& reader) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const Instance instance,
                               LookupInstance(reader, req, req.version.AtLeast(21)));
    auto found = reader.GetAction(instance.uuid, req.route.request_id);
    if (!found) {
      const ErrorCode code = found.error().code;
      if (code == ErrorCode::kNotFound || code == ErrorCode::kInvalidArgument) {
        return MakeError(ErrorCode::kNotFound, "Action " + req.route.request_id + " not found");
      }
      return found.error();
    }
    project_id = instance.project_id;
    record = std::move(*found);
    return OkStatus();
  });
  if (!status) {
    return ErrorResponse(status.error());
  }
  return JsonResponse(
      200, RenderActionShow(record, project_id, req.version, CanSeeEventInternals(req.identity)));
}

Response NovaHandlers::ServerShow(const NovaRequest& req) const {
  Instance instance;
  const Status status = journal_.Read([&](JournalReader& reader) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(instance, LookupInstance(reader, req, false));
    return OkStatus();
  });
  if (!status) {
    return ErrorResponse(status.error());
  }
  return JsonResponse(200, RenderServer(instance, req.app_url, req.host_url));
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
