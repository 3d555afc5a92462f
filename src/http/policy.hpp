// Nova's default policy for os-instance-actions (Zed: enforce_scope=False,
// enforce_new_defaults=False) and the journal write API's role rules. Pure; thread-safe.
#pragma once

#include "actionlog/core/types.hpp"
#include "http/auth.hpp"

namespace actionlog::http {

// Instance lookup with project_only: admins see every instance, others their project's.
bool CanSeeInstance(const Identity& who, const Instance& instance);

// os_compute_api:os-instance-actions:list / :show = project_reader_or_admin OR admin_or_owner.
bool CanListOrShowActions(const Identity& who, const Instance& instance);

// os_compute_api:os-instance-actions:events (traceback, host, events before 2.51) and
// :events:details (details from 2.84): rule context_is_admin.
bool CanSeeEventInternals(const Identity& who);

// The /journal/v1 writes: roles admin or service.
bool CanWriteJournal(const Identity& who);

// GET /journal/v1/verify: role admin.
bool CanVerifyJournal(const Identity& who);

}  // namespace actionlog::http
