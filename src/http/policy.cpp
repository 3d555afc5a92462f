#include "http/policy.hpp"

namespace actionlog::http {

bool CanSeeInstance(const Identity& who, const Instance& instance) {
  return who.IsAdmin() || (instance.project_id && *instance.project_id == who.project_id);
}

bool CanListOrShowActions(const Identity& who, const Instance& instance) {
  return CanSeeInstance(who, instance);
}

bool CanSeeEventInternals(const Identity& who) { return who.IsAdmin(); }

bool CanWriteJournal(const Identity& who) { return who.IsAdmin() || who.HasRole("service"); }

bool CanVerifyJournal(const Identity& who) { return who.IsAdmin(); }

}  // namespace actionlog::http
