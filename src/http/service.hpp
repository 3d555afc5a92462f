// The HTTP service as a function: Service::Handle maps one request to one response, with no
// sockets, so every behaviour is testable without a server. It assigns the request id,
// authenticates, routes, negotiates the microversion and calls the Nova or journal handlers.
// Thread-safe: one Service is shared by every connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "actionlog/core/journal.hpp"
#include "http/auth.hpp"
#include "http/http_types.hpp"
#include "http/journal_handlers.hpp"
#include "http/nova_handlers.hpp"

namespace actionlog::http {

struct ServiceOptions {
  std::int64_t max_limit = 1000;    // Nova's [api] max_limit
  std::string compute_link_prefix;  // Nova's [api] compute_link_prefix (empty: from Host)
  std::string default_host;         // Host to use in links when the request has none
};

struct ClientInfo {
  std::string peer_address;  // textual IP of the TCP peer
};

// What the access log records about a request, filled in by Handle().
struct AccessInfo {
  std::string request_id;
  std::string user_id;
  std::string project_id;
  std::string microversion;
};

class Service {
 public:
  // `journal` serves /journal/v1 (writes, and reads that must see them); `nova_reads`, when
  // given, serves Nova's read API (e.g. a Journal reading a replica), else `journal` does.
  Service(std::shared_ptr<Journal> journal, std::shared_ptr<const Authenticator> auth,
          ServiceOptions options, std::shared_ptr<Journal> nova_reads = nullptr);

  Response Handle(const Request& req, const ClientInfo& client, AccessInfo& access) const;

  // True for requests that may wait on a durable write (run them off the I/O threads).
  static bool IsWrite(const Request& req);

 private:
  Response Dispatch(const Request& req, const ClientInfo& client, AccessInfo& access) const;
  Response HandleNova(const Request& req, const Route& route, const std::optional<Identity>& who,
                      AccessInfo& access) const;
  Response CallNova(const Request& req, const Route& route, const Identity& who,
                    ApiVersion version) const;
  std::string HostUrl(const Request& req) const;

  std::shared_ptr<Journal> journal_;
  std::shared_ptr<Journal> nova_journal_;
  std::shared_ptr<const Authenticator> auth_;
  ServiceOptions options_;
  NovaHandlers nova_;
  JournalHandlers journal_handlers_;
};

}  // namespace actionlog::http
