// The records of the journal: instances, actions and their events.
//
// Field names and meanings follow Nova's tables (instances, instance_actions,
// instance_actions_events) so that Nova data maps 1:1. Nullable Nova columns are std::optional.
// `version` is the row version used for optimistic concurrency: it starts at 1 and every change
// of the row increments it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actionlog/core/time.hpp"

namespace actionlog {

struct Instance {
  std::int64_t id = 0;
  std::string uuid;
  std::optional<std::string> project_id;
  std::optional<std::string> user_id;
  std::optional<std::string> host;
  std::optional<std::string> display_name;
  std::optional<Timestamp> created_at;
  std::optional<Timestamp> updated_at;
  std::optional<Timestamp> deleted_at;
  std::int64_t deleted = 0;  // 0 = live; Nova stores the row id when soft-deleted
  std::int64_t version = 0;

  bool IsDeleted() const { return deleted != 0; }

  friend bool operator==(const Instance&, const Instance&) = default;
};

inline constexpr std::string_view kResultSuccess = "Success";
inline constexpr std::string_view kResultError = "Error";
inline constexpr std::string_view kMessageError = "Error";

struct Event {
  std::int64_t id = 0;
  std::int64_t action_id = 0;
  std::string event;
  std::optional<Timestamp> created_at;
  std::optional<Timestamp> updated_at;
  std::optional<Timestamp> deleted_at;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> finish_time;
  std::optional<std::string> result;  // null while running, then "Success" or "Error"
  std::optional<std::string> traceback;
  std::optional<std::string> host;
  std::optional<std::string> details;
  std::int64_t deleted = 0;
  std::int64_t version = 0;

  bool IsFinished() const { return finish_time.has_value() || result.has_value(); }

  friend bool operator==(const Event&, const Event&) = default;
};

struct Action {
  std::int64_t id = 0;
  std::optional<std::string> action;  // "create", "reboot", ...
  std::string instance_uuid;
  std::string request_id;
  std::optional<std::string> user_id;
  std::optional<std::string> project_id;
  std::optional<Timestamp> created_at;
  std::optional<Timestamp> updated_at;
  std::optional<Timestamp> deleted_at;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> finish_time;
  std::optional<std::string> message;  // null or "Error"
  std::int64_t deleted = 0;
  std::int64_t version = 0;

  bool IsFinished() const { return finish_time.has_value(); }

  friend bool operator==(const Action&, const Action&) = default;
};

struct ActionWithEvents {
  Action action;
  std::vector<Event> events;  // newest first: created_at DESC, id DESC

  friend bool operator==(const ActionWithEvents&, const ActionWithEvents&) = default;
};

// Who asks for a change; recorded in the change log.
struct Actor {
  std::string user_id;
  std::string project_id;
  std::string service;  // e.g. "nova-compute", "actionlog-cli", "import"
};

// One entry of the append-only change log. `row` is the canonical JSON image of the changed row
// after the change (see change_log.hpp). `hash` = SHA-256(prev_hash || CanonicalBytes(entry)).
struct ChangeEntry {
  std::int64_t seq = 0;  // 1, 2, 3, ... without gaps
  Timestamp recorded_at;
  std::string actor_user;
  std::string actor_project;
  std::string actor_service;
  std::string operation;  // see change_log.hpp: "instance.put", "action.start", ...
  std::string entity;     // "instance", "action" or "event"
  std::int64_t entity_id = 0;
  std::int64_t entity_version = 0;
  std::string instance_uuid;
  std::string request_id;
  std::string event;
  std::string row;  // canonical JSON of the row after the change
  // Canonical JSON of the event's parent action after the change, when an event write also
  // changed its action (updated_at, message); empty otherwise. One entry then records both rows.
  std::string parent_row;
  std::string prev_hash;  // 64 lower-case hex digits
  std::string hash;       // 64 lower-case hex digits

  friend bool operator==(const ChangeEntry&, const ChangeEntry&) = default;
};

}  // namespace actionlog
