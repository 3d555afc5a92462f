// Handlers of Nova's read-only compute URLs: request in, response out, no sockets.
// They run after authentication, routing and microversion negotiation (service.cpp) and follow
// Nova 26.2.2's order of checks (reference §4.5). Thread-safe: share one instance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "actionlog/core/journal.hpp"
#include "http/auth.hpp"
#include "http/http_types.hpp"
#include "http/microversion.hpp"
#include "http/router.hpp"

namespace actionlog::http {

struct NovaRequest {
  const Route& route;
  const Identity& identity;
  ApiVersion version;
  std::string_view query;     // raw query string, without '?'
  std::string_view app_url;   // "http://host:port/v2.1" (or the configured link prefix)
  std::string_view host_url;  // "http://host:port"
  std::string_view full_url;  // host_url + raw target, for Nova's project-in-URL check
};

class NovaHandlers {
 public:
  NovaHandlers(Journal& journal, std::int64_t max_limit)
      : journal_(journal), max_limit_(max_limit) {}

  Response ActionIndex(const NovaRequest& req) const;
  Response ActionShow(const NovaRequest& req) const;
  Response ServerShow(const NovaRequest& req) const;
  Response ServerList(const NovaRequest& req) const;

 private:
  // common.get_instance: 404 "Instance <id> could not be found." for unknown ids, other
  // projects (non-admins) and deleted instances unless `read_deleted`.
  // Runs in the request's read snapshot, so the instance and what is read after it agree.
  static Result<Instance> LookupInstance(JournalReader& reader, const NovaRequest& req,
                                         bool read_deleted);
  Response ListPage(const NovaRequest& req) const;  // index from 2.58

  Journal& journal_;
  std::int64_t max_limit_;
};

}  // namespace actionlog::http
