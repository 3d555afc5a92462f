#include "validation.hpp"

#include <algorithm>
#include <array>

#include "actionlog/core/journal.hpp"

namespace actionlog::validation {
namespace {

Error Invalid(std::string_view field, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(field) + ": " + std::string(why));
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not a valid sequence.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    return 1;
  }
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  const bool overlong =
      (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  if (overlong || surrogate || cp > 0x10FFFF) {
    return 0;
  }
  return len;
}

bool HasControl(std::string_view s, bool allow_whitespace) {
  return std::ranges::any_of(s, [allow_whitespace](char c) {
    const auto u = static_cast<unsigned char>(c);
    const bool whitespace = c == '\n' || c == '\t' || c == '\r';
    return u == 0x7F || (u < 0x20 && !(allow_whitespace && whitespace));
  });
}

// A record's id: 0 asks the store to assign one; a given id must not be negative.
Status NonNegativeId(std::int64_t id) {
  if (id < 0) {
    return Invalid("id", "must not be negative");
  }
  return OkStatus();
}

}  // namespace

bool IsValidUtf8(std::string_view value) {
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t len = Utf8SequenceLength(value, i);
    if (len == 0) {
      return false;
    }
    i += len;
  }
  return true;
}

std::string TruncateUtf8(std::string_view value, std::size_t max_bytes) {
  std::string_view cut = value.substr(0, std::min(value.size(), max_bytes));
  while (!cut.empty() && !IsValidUtf8(cut)) {
    cut.remove_suffix(1);
  }
  return std::string(cut);
}

Result<std::string> Uuid(std::string_view field, std::string_view value) {
  static constexpr std::array<std::size_t, 4> kDashes = {8, 13, 18, 23};
  if (value.size() != 36) {
    return Invalid(field,
                   "'" + TruncateUtf8(value, 64) + "' is not a UUID (8-4-4-4-12 hex digits)");
  }
  std::string out(value);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool dash_position =
        i == kDashes[0] || i == kDashes[1] || i == kDashes[2] || i == kDashes[3];
    if (dash_position ? out[i] != '-' : !IsHex(out[i])) {
      return Invalid(field,
                     "'" + TruncateUtf8(value, 64) + "' is not a UUID (8-4-4-4-12 hex digits)");
    }
    if (out[i] >= 'A' && out[i] <= 'F') {
      out[i] = static_cast<char>(out[i] - 'A' + 'a');
    }
  }
  return out;
}

Status Name(std::string_view field, std::string_view value) {
  if (value.empty()) {
    return Invalid(field, "must not be empty");
  }
  if (value.size() > kMaxFieldBytes) {
    return Invalid(field, "is " + std::to_string(value.size()) + " bytes; the limit is " +
                              std::to_string(kMaxFieldBytes));
  }
  if (!IsValidUtf8(value)) {
    return Invalid(field, "is not valid UTF-8");
  }
  if (HasControl(value, false)) {
    return Invalid(field, "contains control characters");
  }
  return OkStatus();
}

Status OptionalName(std::string_view field, const std::optional<std::string>& value) {
  return value ? Name(field, *value) : OkStatus();
}

Status Text(std::string_view field, std::string_view value, std::size_t max_bytes) {
  if (value.size() > max_bytes) {
    return Invalid(field, "is " + std::to_string(value.size()) + " bytes; the limit is " +
                              std::to_string(max_bytes));
  }
  if (!IsValidUtf8(value)) {
    return Invalid(field, "is not valid UTF-8");
  }
  if (value.find('\0') != std::string_view::npos) {
    return Invalid(field, "contains a NUL byte");
  }
  return OkStatus();
}

Status ResultValue(std::string_view value) {
  if (value != kResultSuccess && value != kResultError) {
    return Invalid("result",
                   R"(must be "Success" or "Error", not ")" + TruncateUtf8(value, 64) + "\"");
  }
  return OkStatus();
}

Status Time(std::string_view field, const std::optional<Timestamp>& value) {
  if (value && (value->micros < kMinTimestampMicros || value->micros > kMaxTimestampMicros)) {
    return Invalid(field, "is outside the years 1 to 9999");
  }
  return OkStatus();
}

Status CompleteInstance(const Instance& instance) {
  ACTIONLOG_RETURN_IF_ERROR(NonNegativeId(instance.id));
  ACTIONLOG_RETURN_IF_ERROR(Uuid("uuid", instance.uuid));
  ACTIONLOG_RETURN_IF_ERROR(OptionalName("project_id", instance.project_id));
  ACTIONLOG_RETURN_IF_ERROR(OptionalName("user_id", instance.user_id));
  ACTIONLOG_RETURN_IF_ERROR(OptionalName("host", instance.host));
  if (instance.display_name) {
    ACTIONLOG_RETURN_IF_ERROR(Text("display_name", *instance.display_name, kMaxFieldBytes));
  }
  for (const auto* t : {&instance.created_at, &instance.updated_at, &instance.deleted_at}) {
    ACTIONLOG_RETURN_IF_ERROR(Time("instance time", *t));
  }
  if (instance.deleted < 0) {
    return Invalid("deleted", "must not be negative");
  }
  if ((instance.deleted != 0) != instance.deleted_at.has_value()) {
    return Invalid("deleted_at", "must be set exactly when the instance is deleted");
  }
  return OkStatus();
}

Status CompleteAction(const Action& action) {
  ACTIONLOG_RETURN_IF_ERROR(NonNegativeId(action.id));
  ACTIONLOG_RETURN_IF_ERROR(Uuid("instance_uuid", action.instance_uuid));
  ACTIONLOG_RETURN_IF_ERROR(Name("request_id", action.request_id));
  if (!action.action) {
    return Invalid("action", "is required");
  }
  ACTIONLOG_RETURN_IF_ERROR(Name("action", *action.action));
  ACTIONLOG_RETURN_IF_ERROR(OptionalName("user_id", action.user_id));
  ACTIONLOG_RETURN_IF_ERROR(OptionalName("project_id", action.project_id));
  if (action.message && *action.message != kMessageError) {
    return Invalid("message", "must be null or \"Error\"");
  }
  if (!action.start_time) {
    return Invalid("start_time", "is required");
  }
  for (const auto* t :
       {&action.created_at, &action.updated_at, &action.start_time, &action.finish_time}) {
    ACTIONLOG_RETURN_IF_ERROR(Time("action time", *t));
  }
  if (action.finish_time && *action.finish_time < *action.start_time) {
    return Invalid("finish_time", "is before start_time");
  }
  if (action.deleted != 0 || action.deleted_at) {
    return Invalid("deleted", "actions are never deleted");
  }
  return OkStatus();
}

Status CompleteEvent(const Event& event) {
  ACTIONLOG_RETURN_IF_ERROR(NonNegativeId(event.id));
  ACTIONLOG_RETURN_IF_ERROR(Name("event", event.event));
  ACTIONLOG_RETURN_IF_ERROR(OptionalName("host", event.host));
  if (!event.start_time) {
    return Invalid("start_time", "is required");
  }
  for (const auto* t :
       {&event.created_at, &event.updated_at, &event.start_time, &event.finish_time}) {
    ACTIONLOG_RETURN_IF_ERROR(Time("event time", *t));
  }
  if (event.result.has_value() != event.finish_time.has_value()) {
    return Invalid(event.result ? "finish_time" : "result",
                   "result and finish_time must be set together");
  }
  if (event.result) {
    ACTIONLOG_RETURN_IF_ERROR(ResultValue(*event.result));
  }
  if (event.finish_time && *event.finish_time < *event.start_time) {
    return Invalid("finish_time", "is before start_time");
  }
  if (event.details) {
    ACTIONLOG_RETURN_IF_ERROR(Text("details", *event.details, kMaxDetailsBytes));
  }
  if (event.traceback) {
    ACTIONLOG_RETURN_IF_ERROR(Text("traceback", *event.traceback, kMaxTracebackBytes));
  }
  if (event.deleted != 0 || event.deleted_at) {
    return Invalid("deleted", "events are never deleted");
  }
  return OkStatus();
}

}  // namespace actionlog::validation
