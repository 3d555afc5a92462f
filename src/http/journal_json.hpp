// JSON of the /journal/v1 API: strict parsing of request bodies (types, unknown keys, UTF-8,
// size and depth) and rendering of journal records. Pure; thread-safe.
// Errors: kInvalidArgument with a message naming the offending field.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "actionlog/core/error.hpp"
#include "actionlog/core/journal.hpp"
#include "actionlog/core/types.hpp"

namespace actionlog::http {

// Parses a request body that must be one JSON object. An empty body is an empty object when
// `allow_empty`.
Result<boost::json::object> ParseJsonObject(std::string_view body, bool allow_empty);

// The object under `key` ({"action": {...}}).
Result<boost::json::object> Envelope(const boost::json::object& body, std::string_view key);

// kInvalidArgument naming the first key of `obj` not in `allowed`.
Status CheckKeys(const boost::json::object& obj, std::initializer_list<std::string_view> allowed);

// A string member: absent or null -> nullopt; other types -> kInvalidArgument.
Result<std::optional<std::string>> OptionalString(const boost::json::object& obj,
                                                  std::string_view key);
Result<std::string> RequiredString(const boost::json::object& obj, std::string_view key);
// An ISO 8601 time member (Nova's accepted forms), converted to UTC.
Result<std::optional<Timestamp>> OptionalTime(const boost::json::object& obj, std::string_view key);

// Clone bodies: a complete action with its events. Path values win; a body value that
// disagrees with the path is kInvalidArgument.
Result<ActionWithEvents> ParseActionRecord(const boost::json::object& obj,
                                           std::string_view instance_uuid,
                                           std::string_view request_id);

std::string RenderInstance(const Instance& instance);
std::string RenderAction(const Action& action);
std::string RenderActionWithEvents(const ActionWithEvents& record);
std::string RenderEvent(const Event& event);
std::string RenderVerifyReport(const VerifyReport& report);

}  // namespace actionlog::http
