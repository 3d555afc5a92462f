#include "http/json_writer.hpp"

#include <array>
#include <charconv>

#include "http/utf8.hpp"

namespace actionlog::http {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

void AppendUnicodeEscape(std::string& out, std::uint32_t unit) {
  std::array<char, 6> buf = {'\\',
                             'u',
                             kHexDigits[(unit >> 12U) & 0xFU],
                             kHexDigits[(unit >> 8U) & 0xFU],
                             kHexDigits[(unit >> 4U) & 0xFU],
                             kHexDigits[unit & 0xFU]};
  out.append(buf.data(), buf.size());
}

void AppendCodePoint(std::string& out, std::uint32_t cp) {
  if (cp >= 0x10000U) {
    const std::uint32_t v = cp - 0x10000U;
    AppendUnicodeEscape(out, 0xD800U + (v >> 10U));
    AppendUnicodeEscape(out, 0xDC00U + (v & 0x3FFU));
    return;
  }
  AppendUnicodeEscape(out, cp);
}

void AppendAsciiChar(std::string& out, char c) {
  switch (c) {
    case '"':
      out.append("\\\"");
      return;
    case '\\':
      out.append("\\\\");
      return;
    case '\n':
      out.append("\\n");
      return;
    case '\r':
      out.append("\\r");
      return;
    case '\t':
      out.append("\\t");
      return;
    case '\b':
      out.append("\\b");
      return;
    case '\f':
      out.append("\\f");
      return;
    default:
      break;
  }
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20U || u == 0x7FU) {
    AppendUnicodeEscape(out, u);
    return;
  }
  out.push_back(c);
}

// Which bytes are written as they are: printable ASCII other than '"' and '\\'.
constexpr std::array<bool, 256> kPlainAscii = [] {
  std::array<bool, 256> table{};
  for (unsigned u = 0x20U; u < 0x7FU; ++u) {
    table.at(u) = u != '"' && u != '\\';
  }
  return table;
}();

bool IsPlainAscii(char c) { return kPlainAscii.at(static_cast<unsigned char>(c)); }

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < value.size()) {
    std::size_t run = i;
    while (run < value.size() && IsPlainAscii(value[run])) {
      ++run;
    }
    out.append(value.data() + i, run - i);
    i = run;
    if (i >= value.size()) {
      break;
    }
    const auto u = static_cast<unsigned char>(value[i]);
    if (u < 0x80U) {
      AppendAsciiChar(out, value[i]);
      ++i;
      continue;
    }
    const DecodedCodePoint d = DecodeUtf8(value, i);
    AppendCodePoint(out, d.valid ? d.code_point : 0xFFFDU);
    i += d.length;
  }
  out.push_back('"');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ > 0) {
    const std::uint64_t bit = std::uint64_t{1} << static_cast<unsigned>(depth_ - 1);
    if ((has_items_ & bit) != 0) {
      out_.append(", ");
    }
    has_items_ |= bit;
  }
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  ++depth_;
  has_items_ &= ~(std::uint64_t{1} << static_cast<unsigned>(depth_ - 1));
}

void JsonWriter::EndObject() {
  --depth_;
  out_.push_back('}');
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  ++depth_;
  has_items_ &= ~(std::uint64_t{1} << static_cast<unsigned>(depth_ - 1));
}

void JsonWriter::EndArray() {
  --depth_;
  out_.push_back(']');
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(out_, key);
  out_.append(": ");
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(out_, value);
}

void JsonWriter::Int(std::int64_t value) {
  BeforeValue();
  std::array<char, 24> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  out_.append(buf.data(), res.ptr);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
}

void JsonWriter::OptString(const std::optional<std::string>& value) {
  if (value) {
    String(*value);
  } else {
    Null();
  }
}

void JsonWriter::OptTime(const std::optional<Timestamp>& value) {
  if (value) {
    BeforeValue();
    out_.push_back('"');
    AppendApiTime(out_, *value);
    out_.push_back('"');
  } else {
    Null();
  }
}

void JsonWriter::Field(std::string_view key, std::string_view value) {
  Key(key);
  String(value);
}

void JsonWriter::Field(std::string_view key, const std::optional<std::string>& value) {
  Key(key);
  OptString(value);
}

void JsonWriter::Field(std::string_view key, const std::optional<Timestamp>& value) {
  Key(key);
  OptTime(value);
}

void JsonWriter::Field(std::string_view key, std::int64_t value) {
  Key(key);
  Int(value);
}

}  // namespace actionlog::http
