#include "http/auth.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "actionlog/core/change_log.hpp"

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

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// "::ffff:127.0.0.1" and "127.0.0.1" name the same IPv4 peer.
std::string_view StripV4Mapped(std::string_view address) {
  constexpr std::string_view kMapped = "::ffff:";
  if (address.starts_with(kMapped) && address.find('.') != std::string_view::npos) {
    address.remove_prefix(kMapped.size());
  }
  return address;
}

Result<Identity> ParseTokenLine(std::string_view line, std::string& hash) {
  std::istringstream in{std::string(line)};
  std::string user;
  std::string project;
  std::string roles;
  in >> hash >> user >> project >> roles;
  std::transform(hash.begin(), hash.end(), hash.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  if (!IsHex64(hash) || user.empty() || project.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected '<sha256-hex> <user_id> <project_id> [roles]'");
  }
  return Identity{user, project, SplitRoles(roles)};
}

std::optional<Identity> FromNoAuthToken(std::string_view token) {
  const std::size_t first = token.find(':');
  if (first == std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t second = token.find(':', first + 1);
  Identity id;
  id.user_id = std::string(token.substr(0, first));
  id.project_id = std::string(token.substr(
      first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1));
  if (id.user_id.empty() || id.project_id.empty()) {
    return std::nullopt;
  }
  if (second != std::string_view::npos) {
    id.roles = SplitRoles(token.substr(second + 1));
  } else if (id.user_id == "admin") {
    id.roles = {"admin", "member", "reader"};
  } else {
    id.roles = {"member", "reader"};
  }
  return id;
}

}  // namespace

std::string_view AuthModeName(AuthMode mode) {
  switch (mode) {
    case AuthMode::kNoAuth:
      return "noauth";
    case AuthMode::kHeaders:
      return "headers";
    case AuthMode::kTokens:
      return "tokens";
  }
  return "noauth";
}

Result<AuthMode> ParseAuthMode(std::string_view name) {
  if (name == "noauth" || name == "noauth2") {
    return AuthMode::kNoAuth;
  }
  if (name == "headers" || name == "keystone") {
    return AuthMode::kHeaders;
  }
  if (name == "tokens") {
    return AuthMode::kTokens;
  }
  return MakeError(ErrorCode::kInvalidArgument, "unknown auth mode '" + std::string(name) +
                                                    "': expected noauth, headers or tokens");
}

// oslo.policy's RoleCheck compares role names case-insensitively (match.lower() in
// [r.lower() for r in roles]); ASCII folding gives the same answer for the ASCII names checked.
bool Identity::HasRole(std::string_view role) const {
  return std::any_of(roles.begin(), roles.end(), [role](const std::string& r) {
    return r.size() == role.size() &&
           std::equal(r.begin(), r.end(), role.begin(), [](char a, char b) {
             const auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; };
             return fold(a) == fold(b);
           });
  });
}

std::vector<std::string> SplitRoles(std::string_view roles) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= roles.size()) {
    std::size_t comma = roles.find(',', start);
    if (comma == std::string_view::npos) {
      comma = roles.size();
    }
    const std::string_view role = Trim(roles.substr(start, comma - start));
    if (!role.empty()) {
      out.emplace_back(role);
    }
    start = comma + 1;
  }
  return out;
}

Result<std::unique_ptr<Authenticator>> Authenticator::Create(
    AuthMode mode, std::vector<std::string> trusted_proxies, const std::string& tokens_file) {
  std::unique_ptr<Authenticator> auth(new Authenticator(mode, std::move(trusted_proxies)));
  if (mode != AuthMode::kTokens) {
    return auth;
  }
  if (tokens_file.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "auth mode 'tokens' needs a tokens file");
  }
  std::ifstream in(tokens_file);
  if (!in) {
    return MakeError(ErrorCode::kNotFound, "cannot read tokens file '" + tokens_file + "'");
  }
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') {
      continue;
    }
    std::string hash;
    auto identity = ParseTokenLine(trimmed, hash);
    if (!identity) {
      return MakeError(ErrorCode::kInvalidArgument, tokens_file + ":" + std::to_string(line_no) +
                                                        ": " + identity.error().message);
    }
    auth->tokens_[hash] = std::move(*identity);
  }
  return auth;
}

std::optional<Identity> Authenticator::Authenticate(const Credentials& creds) const {
  switch (mode_) {
    case AuthMode::kNoAuth:
      return FromNoAuthToken(creds.auth_token);
    case AuthMode::kHeaders:
      return FromHeaders(creds);
    case AuthMode::kTokens:
      return FromTokenFile(creds.auth_token);
  }
  return std::nullopt;
}

std::optional<Identity> Authenticator::FromHeaders(const Credentials& creds) const {
  const std::string_view peer = StripV4Mapped(creds.peer_address);
  const bool trusted = std::any_of(trusted_proxies_.begin(), trusted_proxies_.end(),
                                   [&](const std::string& p) { return StripV4Mapped(p) == peer; });
  if (!trusted || creds.user_id.empty() || creds.project_id.empty()) {
    return std::nullopt;
  }
  return Identity{std::string(creds.user_id), std::string(creds.project_id),
                  SplitRoles(creds.roles)};
}

std::optional<Identity> Authenticator::FromTokenFile(std::string_view token) const {
  if (token.empty()) {
    return std::nullopt;
  }
  auto it = tokens_.find(Sha256Hex(token));
  if (it == tokens_.end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace actionlog::http
