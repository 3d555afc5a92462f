// Readers of Nova databases: instances, instance actions and their events, as journal records.
//
// A NovaSource streams rows in id order and never loads a whole table into memory; all of its
// reads see one snapshot of the database when the backend offers one (PostgreSQL). Rows that
// cannot be turned into records (NULL identity columns, unparsable timestamps, events whose action
// does not exist) are not dropped: they are passed to the sink's on_reject with their table, id
// and the reason. A source never writes to the Nova database.
//
// Thread-safety: one NovaSource is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "actionlog/core/error.hpp"
#include "actionlog/core/types.hpp"

namespace actionlog::import {

// A Nova row that cannot be imported, and why.
struct Rejection {
  std::string table;  // "instances", "instance_actions" or "instance_actions_events"
  std::int64_t id = 0;
  std::string context;  // e.g. "instance 0a26c298-... request req-..."; may be empty
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::string reason;
};

// Callbacks of a read. A callback returning an error stops the read with that error.
struct NovaSink {
  std::function<Status(Instance)> on_instance;
  std::function<Status(ActionWithEvents)> on_action;  // events newest first
  std::function<void(const Rejection&)> on_reject;
};

class NovaSource {
 public:
  virtual ~NovaSource() = default;

  // Streams every instance row, in id order.
  virtual Status ReadInstances(const NovaSink& sink) = 0;
  // Streams every action row in id order, each with all of its events. Events whose action_id
  // names no action are rejected (kNotFound).
  virtual Status ReadActions(const NovaSink& sink) = 0;
};

// Opens a Nova database by URL:
//   sqlite:///path/to/nova.sqlite  read-only file (nova_sqlite_source.hpp);
//   postgresql://... or postgres://...  libpq URL, read in one REPEATABLE READ READ ONLY
//     transaction (nova_pg_source.hpp); kUnsupported in a build without ACTIONLOG_WITH_POSTGRES.
// Errors: kInvalidArgument for any other URL, a missing file or a database without Nova's tables
// ("not a Nova database: ..."); kUnavailable when the PostgreSQL server cannot be reached.
Result<std::unique_ptr<NovaSource>> OpenNovaSource(std::string_view url);

}  // namespace actionlog::import
