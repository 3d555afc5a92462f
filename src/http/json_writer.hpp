// A streaming JSON writer that produces exactly what Python's json.dumps writes with Nova's
// settings: separators ", " and ": ", ensure_ascii (every byte outside printable ASCII as a
// lower-case \uXXXX escape, astral code points as surrogate pairs), keys in insertion order.
// Invalid UTF-8 in a string is written as U+FFFD. Not thread-safe; one writer per buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actionlog/core/time.hpp"

namespace actionlog::http {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(std::int64_t value);
  void Bool(bool value);
  void Null();

  void OptString(const std::optional<std::string>& value);
  // Nova's API time form "YYYY-MM-DDTHH:MM:SS.ffffff", or null.
  void OptTime(const std::optional<Timestamp>& value);

  // Shorthands for "key": value.
  void Field(std::string_view key, std::string_view value);

  void Field(std::string_view key, const std::string& value) {
    Field(key, std::string_view(value));
  }

  void Field(std::string_view key, const char* value) { Field(key, std::string_view(value)); }

  void Field(std::string_view key, const std::optional<std::string>& value);
  void Field(std::string_view key, const std::optional<Timestamp>& value);
  void Field(std::string_view key, std::int64_t value);

 private:
  void BeforeValue();

  std::string& out_;
  std::uint64_t has_items_ = 0;  // bit per nesting level: a value was written at that level
  int depth_ = 0;
  bool after_key_ = false;
};

// Appends `value` as a quoted JSON string (Python ensure_ascii escaping).
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace actionlog::http
