// UTC timestamps with microsecond precision.
//
// Timestamp is a plain value (microseconds since 1970-01-01T00:00:00Z); it never carries a zone.
// The storage text form is Nova's: "YYYY-MM-DD HH:MM:SS.ffffff". The API form replaces the space
// with 'T'. Thread-safe: all functions are pure, except Clock::Now().
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actionlog/core/error.hpp"

namespace actionlog {

struct Timestamp {
  std::int64_t micros = 0;  // since the Unix epoch, UTC

  friend auto operator<=>(const Timestamp&,
                          const Timestamp&) = default;  // NOLINT(modernize-use-nullptr)
};

// The range the journal accepts: 0001-01-01 to 9999-12-31 (what every backend can store).
inline constexpr std::int64_t kMinTimestampMicros = -62135596800LL * 1000000;
inline constexpr std::int64_t kMaxTimestampMicros = 253402300799999999LL;

// "2026-11-24 03:02:48.659346" (storage form).
std::string FormatStorageTime(Timestamp t);

// "2026-11-24T03:02:48.659346" (Nova API form: always 6 digits, no zone).
std::string FormatApiTime(Timestamp t);

// The same 26 characters appended to `out` (no allocation of their own: for writers of many).
void AppendStorageTime(std::string& out, Timestamp t);
void AppendApiTime(std::string& out, Timestamp t);

// Parses the storage form written by Nova (SQLAlchemy) and by actionlog: "YYYY-MM-DD HH:MM:SS"
// with an optional fraction of 1 to 6 digits; a 'T' separator is accepted too. No zone.
Result<Timestamp> ParseStorageTime(std::string_view text);

// Parses ISO 8601 as Python's iso8601.parse_date does for Nova's query parameters:
// "2000-01-01", "20000101T000000Z", "2000-01-01 00:00:00", "2000-01-01T00:00:00.5+05:00", ...
// A value with no zone is UTC; a value with an offset is converted to UTC.
Result<Timestamp> ParseIso8601(std::string_view text);

// The wall clock, in UTC. Tests may install a fake clock for the whole process.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() = 0;

  // The process-wide clock (a real UTC clock unless replaced).
  static Clock& Default();
  // Replaces the process-wide clock; pass nullptr to restore the real one. Not thread-safe
  // with concurrent Now() calls: install before starting work.
  static void SetDefaultForTesting(Clock* clock);
};

}  // namespace actionlog
