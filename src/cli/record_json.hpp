// JSON images of journal records for `-f json` output and for `actionlog clone` input.
//
// Keys are Nova's column names; timestamps use the Nova API form ("2026-11-24T03:02:48.659346",
// FormatApiTime); absent values are null. Pure functions; thread-safe.
#pragma once

#include <string_view>

#include <boost/json.hpp>

#include "actionlog/core/error.hpp"
#include "actionlog/core/types.hpp"

namespace actionlog::cli {

boost::json::object ToJson(const Instance& instance);
boost::json::object ToJson(const Action& action);
boost::json::object ToJson(const Event& event);
// The action with an "events" array (newest first).
boost::json::object ToJson(const ActionWithEvents& record);

// Parses an action with its events, as printed by `actionlog -f json action show`: either
// {"action": {...,"events": [...]}} or the inner object. Unknown keys are kInvalidArgument;
// "version" (and Nova's "hostId") are ignored, since the journal assigns versions.
Result<ActionWithEvents> ParseActionWithEvents(std::string_view text);

}  // namespace actionlog::cli
