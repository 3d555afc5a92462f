// Handlers of the /journal/v1 write API (docs/http-api.md): request in, response out, no
// sockets. Every write returns after the journal reports it durable. Roles: admin or service
// for everything, admin only for verify. Thread-safe: share one instance.
#pragma once

#include <string>

#include "actionlog/core/journal.hpp"
#include "http/auth.hpp"
#include "http/http_types.hpp"
#include "http/router.hpp"

namespace actionlog::http {

class JournalHandlers {
 public:
  explicit JournalHandlers(Journal& journal) : journal_(journal) {}

  Response Handle(const Route& route, const Request& req, const Identity& who) const;

 private:
  Response PutInstance(const Route& route, const Request& req, const Actor& actor) const;
  Response GetInstance(const Route& route) const;
  Response DeleteInstance(const Route& route, const Actor& actor) const;
  Response StartAction(const Route& route, const Request& req, const Actor& actor) const;
  Response GetAction(const Route& route) const;
  Response CloneAction(const Route& route, const Request& req, const Actor& actor) const;
  Response FinishAction(const Route& route, const Request& req, const Actor& actor) const;
  Response StartEvent(const Route& route, const Request& req, const Actor& actor) const;
  Response FinishEvent(const Route& route, const Request& req, const Actor& actor) const;
  Response Verify() const;

  Journal& journal_;
};

}  // namespace actionlog::http
