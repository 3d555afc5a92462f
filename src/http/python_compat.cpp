#include "http/python_compat.hpp"

#include <array>

#include "http/utf8.hpp"

namespace actionlog::http {
namespace {

constexpr std::string_view kHexLower = "0123456789abcdef";
constexpr std::string_view kHexUpper = "0123456789ABCDEF";

// Python's str.isprintable() is false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs (except
// the ASCII space). This covers the code points of those categories that real data can contain.
bool IsPyNonPrintable(std::uint32_t cp) {
  if (cp < 0x20U || (cp >= 0x7FU && cp <= 0xA0U) || cp == 0xADU) {
    return true;
  }
  if (cp == 0x1680U || (cp >= 0x2000U && cp <= 0x200FU) || (cp >= 0x2028U && cp <= 0x202FU) ||
      (cp >= 0x205FU && cp <= 0x206FU) || cp == 0x3000U || cp == 0xFEFFU ||
      (cp >= 0xFFF9U && cp <= 0xFFFBU)) {
    return true;
  }
  if ((cp >= 0x600U && cp <= 0x605U) || cp == 0x61CU || cp == 0x6DDU || cp == 0x70FU ||
      cp == 0x180EU) {
    return true;
  }
  if ((cp >= 0xE000U && cp <= 0xF8FFU) || cp >= 0xF0000U) {
    return true;
  }
  return (cp & 0xFFFEU) == 0xFFFEU;
}

void AppendHexEscape(std::string& out, char kind, std::uint32_t cp, int digits) {
  out.push_back('\\');
  out.push_back(kind);
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out.push_back(kHexLower[(cp >> static_cast<unsigned>(shift)) & 0xFU]);
  }
}

void AppendReprCodePoint(std::string& out, std::uint32_t cp, char quote) {
  if (cp == static_cast<std::uint32_t>(quote) || cp == '\\') {
    out.push_back('\\');
    out.push_back(static_cast<char>(cp));
  } else if (cp == '\t') {
    out.append("\\t");
  } else if (cp == '\n') {
    out.append("\\n");
  } else if (cp == '\r') {
    out.append("\\r");
  } else if (IsPyNonPrintable(cp)) {
    if (cp <= 0xFFU) {
      AppendHexEscape(out, 'x', cp, 2);
    } else if (cp <= 0xFFFFU) {
      AppendHexEscape(out, 'u', cp, 4);
    } else {
      AppendHexEscape(out, 'U', cp, 8);
    }
  } else {
    return;  // caller copies the original bytes
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

bool IsUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == '~';
}

QueryParam ParseField(std::string_view field) {
  std::string raw(field);
  for (char& c : raw) {
    if (c == '+') {
      c = ' ';
    }
  }
  const std::size_t eq = raw.find('=');
  if (eq == std::string::npos) {
    return {PercentDecode(raw), std::string()};
  }
  return {PercentDecode(std::string_view(raw).substr(0, eq)),
          PercentDecode(std::string_view(raw).substr(eq + 1))};
}

}  // namespace

std::string PyRepr(std::string_view text) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back(quote);
  std::size_t i = 0;
  while (i < text.size()) {
    const DecodedCodePoint d = DecodeUtf8(text, i);
    const std::uint32_t cp = d.valid ? d.code_point : 0xFFFDU;
    const std::size_t before = out.size();
    AppendReprCodePoint(out, cp, quote);
    if (out.size() == before) {
      out.append(text.substr(i, d.length));
    }
    i += d.length;
  }
  out.push_back(quote);
  return out;
}

std::string PyReprList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out.append(", ");
    }
    out.append(PyRepr(items[i]));
  }
  out.push_back(']');
  return out;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

void AppendQuotePlus(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (IsUnreserved(c)) {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHexUpper[u >> 4U]);
      out.push_back(kHexUpper[u & 0xFU]);
    }
  }
}

std::vector<QueryParam> ParseQueryString(std::string_view query, bool& utf8_ok) {
  utf8_ok = true;
  std::vector<QueryParam> params;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find_first_of("&;", start);
    if (end == std::string_view::npos) {
      end = query.size();
    }
    const std::string_view field = query.substr(start, end - start);
    if (!field.empty()) {
      QueryParam p = ParseField(field);
      if (!IsValidUtf8(p.key) || !IsValidUtf8(p.value)) {
        utf8_ok = false;
      }
      params.push_back(std::move(p));
    }
    start = end + 1;
  }
  return params;
}

}  // namespace actionlog::http
