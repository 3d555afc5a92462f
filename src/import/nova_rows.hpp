// Backend-neutral part of the Nova readers: a cursor over the rows of one query, implemented by
// each backend, and the conversion of Nova rows into journal records shared by all of them.
//
// Every backend selects the columns below, in this order, so that the converters can read them
// by position. Instances and actions are ordered by id; events by action_id (NULLs first), id.
//
// Thread-safety: a RowCursor and the functions below are used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actionlog/core/error.hpp"
#include "import/nova_source.hpp"

namespace actionlog::import {

inline constexpr const char* kInstanceColumns =
    "id, uuid, project_id, user_id, host, display_name, created_at, updated_at, deleted_at, "
    "deleted";
inline constexpr const char* kActionColumns =
    "id, action, instance_uuid, request_id, user_id, project_id, created_at, updated_at, "
    "deleted_at, start_time, finish_time, message, deleted";
inline constexpr const char* kEventColumns =
    "id, action_id, event, created_at, updated_at, deleted_at, start_time, finish_time, result, "
    "traceback, host, details, deleted";

// The rows of one query, read forward once. Column accessors read the current row, i.e. the one
// the last Step() that returned true moved to.
class RowCursor {
 public:
  virtual ~RowCursor() = default;

  // Moves to the next row: true when there is one, false after the last. Errors are the
  // backend's read errors (kUnavailable, kDataLoss, kInternal, ...).
  [[nodiscard]] virtual Result<bool> Step() = 0;
  virtual bool IsNull(int col) const = 0;
  // 0 when NULL.
  virtual std::int64_t Int(int col) const = 0;
  // nullopt when NULL.
  virtual std::optional<std::string> Text(int col) const = 0;
};

// Streams every row of an instance cursor (kInstanceColumns) to the sink's on_instance, or to
// on_reject when a row cannot be converted. Returns the first cursor or sink error.
[[nodiscard]] Status ReadInstanceRows(RowCursor& instances, const NovaSink& sink);

// Merges an action cursor (kActionColumns, by id) with an event cursor (kEventColumns, by
// action_id NULLs first, id): each action goes to on_action with its events, newest first.
// Events without an existing action are rejected (kNotFound); an action that cannot be converted
// is rejected with all of its events. Returns the first cursor or sink error.
[[nodiscard]] Status MergeActionRows(RowCursor& actions, RowCursor& events, const NovaSink& sink);

}  // namespace actionlog::import
