// UTF-8 decoding helpers for the HTTP layer. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace actionlog::http {

struct DecodedCodePoint {
  std::uint32_t code_point = 0;
  std::size_t length = 1;  // bytes consumed (1 for an invalid byte)
  bool valid = false;
};

// Decodes one code point at `pos` (strict: no overlongs, no surrogates, <= U+10FFFF).
DecodedCodePoint DecodeUtf8(std::string_view text, std::size_t pos);

bool IsValidUtf8(std::string_view text);

}  // namespace actionlog::http
