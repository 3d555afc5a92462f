#include "http/utf8.hpp"

namespace actionlog::http {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0U) == 0x80U; }

}  // namespace

DecodedCodePoint DecodeUtf8(std::string_view text, std::size_t pos) {
  DecodedCodePoint out;
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80U) {
    return {lead, 1, true};
  }
  std::size_t len = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if ((lead & 0xE0U) == 0xC0U) {
    len = 2;
    cp = lead & 0x1FU;
    min = 0x80U;
  } else if ((lead & 0xF0U) == 0xE0U) {
    len = 3;
    cp = lead & 0x0FU;
    min = 0x800U;
  } else if ((lead & 0xF8U) == 0xF0U) {
    len = 4;
    cp = lead & 0x07U;
    min = 0x10000U;
  } else {
    return out;
  }
  if (pos + len > text.size()) {
    return out;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(text[pos + k]);
    if (!IsContinuation(c)) {
      return out;
    }
    cp = (cp << 6U) | (c & 0x3FU);
  }
  if (cp < min || cp > 0x10FFFFU || (cp >= 0xD800U && cp <= 0xDFFFU)) {
    return out;
  }
  return {cp, len, true};
}

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80U) {
      ++i;
      continue;
    }
    const DecodedCodePoint d = DecodeUtf8(text, i);
    if (!d.valid) {
      return false;
    }
    i += d.length;
  }
  return true;
}

}  // namespace actionlog::http
