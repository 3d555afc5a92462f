// Compute API microversion negotiation, as Nova 26.2.2 does it (microversion_parse + Nova's
// APIVersionRequest): `OpenStack-API-Version: compute X.Y` wins (service matched
// case-insensitively, comma list scanned from the right), then the legacy
// `X-OpenStack-Nova-API-Version`; none means 2.1, "latest" means 2.93. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace actionlog::http {

struct ApiVersion {
  int major = 2;
  int minor = 1;

  bool AtLeast(int want_minor) const { return major > 2 || (major == 2 && minor >= want_minor); }

  std::string ToString() const;

  friend auto operator<=>(const ApiVersion&,
                          const ApiVersion&) = default;  // NOLINT(modernize-use-nullptr)
};

inline constexpr ApiVersion kMinApiVersion{2, 1};
inline constexpr ApiVersion kMaxApiVersion{2, 93};
inline constexpr std::string_view kMaxApiVersionString = "2.93";

enum class VersionOutcome {
  kOk,
  kInvalid,      // 400: "API Version String <v> is of invalid format. ..."
  kUnsupported,  // 406: "Version <v> is not supported by the API. ..."
};

struct NegotiatedVersion {
  VersionOutcome outcome = VersionOutcome::kOk;
  ApiVersion version;   // valid when kOk
  std::string echo;     // version string for the response headers (kOk, kUnsupported)
  std::string message;  // fault message (kInvalid, kUnsupported)
};

// `standard` and `legacy` are the values of every line of each header, in order.
NegotiatedVersion NegotiateVersion(const std::vector<std::string_view>& standard,
                                   const std::vector<std::string_view>& legacy);

}  // namespace actionlog::http
