// Who is calling: identity resolution for the three auth modes.
//
//   noauth   X-Auth-Token: user_id:project_id[:role,role] (Nova's noauth2 token, roles added;
//            without roles: admin,member,reader for user "admin", else member,reader).
//   headers  X-User-Id / X-Project-Id / X-Roles as set by keystonemiddleware, trusted only
//            when the peer address is one of the configured proxies.
//   tokens   X-Auth-Token looked up by its SHA-256 in a token file.
//
// Authenticator is immutable after construction; Authenticate() is thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actionlog/core/error.hpp"

namespace actionlog::http {

enum class AuthMode { kNoAuth, kHeaders, kTokens };

std::string_view AuthModeName(AuthMode mode);
Result<AuthMode> ParseAuthMode(std::string_view name);

struct Identity {
  std::string user_id;
  std::string project_id;
  std::vector<std::string> roles;

  // Case-insensitive, as oslo.policy's role checks ("Admin" is admin).
  bool HasRole(std::string_view role) const;

  bool IsAdmin() const { return HasRole("admin"); }
};

// The headers an Authenticator looks at (empty when absent).
struct Credentials {
  std::string_view auth_token{};
  std::string_view user_id{};
  std::string_view project_id{};
  std::string_view roles{};
  std::string_view peer_address{};  // textual IP of the TCP peer
};

class Authenticator {
 public:
  // tokens mode: loads `tokens_file`, one entry per line:
  //   <sha256-hex-of-token> <user_id> <project_id> [role,role,...]
  // Blank lines and lines starting with '#' are ignored. kInvalidArgument on a bad line,
  // kNotFound / kUnavailable when the file cannot be read.
  static Result<std::unique_ptr<Authenticator>> Create(AuthMode mode,
                                                       std::vector<std::string> trusted_proxies,
                                                       const std::string& tokens_file);

  // nullopt: no usable identity (the caller answers 401).
  std::optional<Identity> Authenticate(const Credentials& creds) const;

 private:
  Authenticator(AuthMode mode, std::vector<std::string> trusted_proxies)
      : mode_(mode), trusted_proxies_(std::move(trusted_proxies)) {}

  std::optional<Identity> FromHeaders(const Credentials& creds) const;
  std::optional<Identity> FromTokenFile(std::string_view token) const;

  AuthMode mode_;
  std::vector<std::string> trusted_proxies_;
  std::unordered_map<std::string, Identity> tokens_;  // sha256 hex -> identity
};

// Splits "a, b,,c" into {"a", "b", "c"}.
std::vector<std::string> SplitRoles(std::string_view roles);

}  // namespace actionlog::http
