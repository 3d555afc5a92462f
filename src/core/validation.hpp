// Field validation for everything that enters the journal. Pure functions; thread-safe.
// Every failure is kInvalidArgument with a message naming the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "actionlog/core/error.hpp"
#include "actionlog/core/types.hpp"

namespace actionlog::validation {

// Canonical 8-4-4-4-12 hex UUID, either case. Returns it lower-cased.
Result<std::string> Uuid(std::string_view field, std::string_view value);

// Non-empty, at most kMaxFieldBytes, valid UTF-8, no control characters.
Status Name(std::string_view field, std::string_view value);
Status OptionalName(std::string_view field, const std::optional<std::string>& value);

// Valid UTF-8 without NUL, at most `max_bytes` (tracebacks may hold newlines and tabs).
Status Text(std::string_view field, std::string_view value, std::size_t max_bytes);

// "Success" or "Error", exactly.
Status ResultValue(std::string_view value);

// Within the storable range (years 1..9999).
Status Time(std::string_view field, const std::optional<Timestamp>& value);

// Nova's utils.safe_truncate: cut to max_bytes, then drop bytes until it is valid UTF-8.
std::string TruncateUtf8(std::string_view value, std::size_t max_bytes);

bool IsValidUtf8(std::string_view value);

// The checks every complete record must pass before clone (Nova's create()).
Status CompleteAction(const Action& action);
Status CompleteEvent(const Event& event);
Status CompleteInstance(const Instance& instance);

}  // namespace actionlog::validation
