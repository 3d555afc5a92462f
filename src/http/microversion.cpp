#include "http/microversion.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace actionlog::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string Fold(const std::vector<std::string_view>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      out.push_back(',');
    }
    out.append(lines[i]);
  }
  return out;
}

// "volume 3.0, compute 2.62" -> "2.62"; nullopt when no entry names compute.
std::optional<std::string> FromStandard(std::string_view header) {
  std::vector<std::string_view> entries;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = header.find(',', start);
    entries.push_back(header.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  for (std::size_t i = entries.size(); i-- > 0;) {
    const std::string_view entry = Trim(entries[i]);
    std::size_t sp = 0;
    while (sp < entry.size() && std::isspace(static_cast<unsigned char>(entry[sp])) == 0) {
      ++sp;
    }
    if (sp < entry.size() && EqualsIgnoreCase(entry.substr(0, sp), "compute")) {
      return std::string(Trim(entry.substr(sp)));
    }
  }
  return std::nullopt;
}

bool ParseDigits(std::string_view s, int& out) {
  // Values beyond int range are out of the supported range anyway: saturate.
  long long v = 0;
  for (const char c : s) {
    v = v * 10 + (c - '0');
    if (v > 1000000) {
      v = 1000000;
    }
  }
  out = static_cast<int>(v);
  return true;
}

// ^([1-9]\d*)\.([1-9]\d*|0)$
bool ParseVersionString(std::string_view s, ApiVersion& out) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= s.size()) {
    return false;
  }
  const std::string_view major = s.substr(0, dot);
  const std::string_view minor = s.substr(dot + 1);
  auto all_digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!all_digits(major) || !all_digits(minor) || major[0] == '0') {
    return false;
  }
  if (minor.size() > 1 && minor[0] == '0') {
    return false;
  }
  return ParseDigits(major, out.major) && ParseDigits(minor, out.minor);
}

}  // namespace

std::string ApiVersion::ToString() const {
  return std::to_string(major) + "." + std::to_string(minor);
}

NegotiatedVersion NegotiateVersion(const std::vector<std::string_view>& standard,
                                   const std::vector<std::string_view>& legacy) {
  std::optional<std::string> requested;
  const std::string folded_standard = Fold(standard);
  if (!folded_standard.empty()) {
    requested = FromStandard(folded_standard);
  }
  if (!requested && !legacy.empty()) {
    const std::string folded = Fold(legacy);
    const std::size_t comma = folded.rfind(',');
    requested =
        std::string(Trim(comma == std::string::npos ? std::string_view(folded)
                                                    : std::string_view(folded).substr(comma + 1)));
  }
  NegotiatedVersion out;
  if (!requested) {
    out.version = kMinApiVersion;
    out.echo = "2.1";
    return out;
  }
  if (*requested == "latest") {
    out.version = kMaxApiVersion;
    out.echo = std::string(kMaxApiVersionString);
    return out;
  }
  ApiVersion v;
  if (!ParseVersionString(*requested, v)) {
    out.outcome = VersionOutcome::kInvalid;
    out.message = "API Version String " + *requested +
                  " is of invalid format. Must be of format MajorNum.MinorNum.";
    return out;
  }
  out.echo = *requested;
  if (v < kMinApiVersion || v > kMaxApiVersion) {
    out.outcome = VersionOutcome::kUnsupported;
    out.message = "Version " + *requested +
                  " is not supported by the API. Minimum is 2.1 and maximum is 2.93.";
    return out;
  }
  out.version = v;
  return out;
}

}  // namespace actionlog::http
