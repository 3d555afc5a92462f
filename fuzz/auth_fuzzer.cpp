// Fuzzes the credential and configuration parsers of the HTTP service: noauth tokens
// (user:project:roles), headers mode (X-User-Id / X-Project-Id / X-Roles from a trusted peer),
// the tokens file of tokens mode, and the INI configuration file with its listen address.
//
// Input: the first byte chooses the parser (its value modulo 4: '0' noauth token, '1' headers,
// '2' tokens file, '3' INI file), the rest is its text. For headers mode the text is four lines:
// peer address, user id, project id, roles.
// Properties: each parser agrees with the documented grammar on which inputs give an identity
// and which identity; roles are never empty, padded or comma-joined; a tokens file that loads
// still resolves its last line's token; a configuration that loads has every value in range.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actionlog/core/change_log.hpp"
#include "fuzz_support.hpp"
#include "http/auth.hpp"
#include "http/config.hpp"

namespace actionlog::fuzz {
namespace {

void CheckRoles(const std::vector<std::string>& roles, std::string_view input) {
  for (const std::string& r : roles) {
    Check(!r.empty() && r.find(',') == std::string::npos, "role empty or with a comma", input);
    Check(r.front() != ' ' && r.back() != ' ' && r.front() != '\t' && r.back() != '\t',
          "role not trimmed", input);
  }
}

std::unique_ptr<http::Authenticator> MakeAuth(http::AuthMode mode,
                                              std::vector<std::string> proxies = {},
                                              const std::string& file = {}) {
  auto auth = http::Authenticator::Create(mode, std::move(proxies), file);
  Check(static_cast<bool>(auth), "authenticator");
  return std::move(*auth);
}

void NoAuth(std::string_view token) {
  static const auto auth = MakeAuth(http::AuthMode::kNoAuth);
  http::Credentials creds;
  creds.auth_token = token;
  const std::optional<http::Identity> who = auth->Authenticate(creds);
  // The grammar: user ':' project [':' roles], user and project non-empty.
  const std::size_t first = token.find(':');
  std::optional<std::string_view> user;
  std::optional<std::string_view> project;
  if (first != std::string_view::npos) {
    const std::size_t second = token.find(':', first + 1);
    user = token.substr(0, first);
    project = token.substr(
        first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1);
  }
  const bool expected = user && !user->empty() && !project->empty();
  Check(expected == who.has_value(), "noauth token accepted or refused against the grammar", token);
  if (who) {
    Check(who->user_id == *user && who->project_id == *project, "noauth identity", token);
    Check(!who->roles.empty() || token.find(':', first + 1) != std::string_view::npos,
          "noauth default roles", token);
    CheckRoles(who->roles, token);
  }
}

std::string_view Line(std::string_view& text) {
  const std::size_t lf = text.find('\n');
  const std::string_view line = text.substr(0, lf);
  text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
  return line;
}

void Headers(std::string_view text) {
  static const auto auth = MakeAuth(http::AuthMode::kHeaders, {"127.0.0.1", "::1", "10.0.0.7"});
  const std::string_view input = text;
  http::Credentials creds;
  creds.peer_address = Line(text);
  creds.user_id = Line(text);
  creds.project_id = Line(text);
  creds.roles = Line(text);
  creds.auth_token = text;  // ignored in headers mode
  const std::optional<http::Identity> who = auth->Authenticate(creds);
  std::string_view peer = creds.peer_address;
  if (peer.starts_with("::ffff:") && peer.find('.') != std::string_view::npos) {
    peer.remove_prefix(7);
  }
  const bool trusted = peer == "127.0.0.1" || peer == "::1" || peer == "10.0.0.7";
  const bool expected = trusted && !creds.user_id.empty() && !creds.project_id.empty();
  Check(expected == who.has_value(), "headers identity accepted or refused wrongly", input);
  if (who) {
    Check(who->user_id == creds.user_id && who->project_id == creds.project_id, "headers identity",
          input);
    CheckRoles(who->roles, input);
  }
}

void TokensFile(std::string_view text) {
  static MemFile file;
  // A last line the file must still resolve, whatever came before it.
  const std::string known_token = "fuzz-known-token";
  std::string content(text);
  content += "\n" + Sha256Hex(known_token) + " known-user known-project reader,member\n";
  file.Write(content);
  auto auth = http::Authenticator::Create(http::AuthMode::kTokens, {}, file.Path());
  if (!auth) {
    Check(auth.error().code == ErrorCode::kInvalidArgument, "tokens file error code",
          auth.error().message);
    Check(auth.error().message.starts_with(file.Path() + ":"), "tokens file error names a line",
          auth.error().message);
    return;
  }
  http::Credentials creds;
  creds.auth_token = known_token;
  const std::optional<http::Identity> who = (*auth)->Authenticate(creds);
  Check(who && who->user_id == "known-user" && who->project_id == "known-project" &&
            who->roles == std::vector<std::string>{"reader", "member"},
        "the last token of a loaded file does not resolve", text);
  creds.auth_token = "";
  Check(!(*auth)->Authenticate(creds), "empty token accepted", text);
  for (const std::string_view token : {std::string_view("known-user"), text}) {
    creds.auth_token = token;
    if (auto other = (*auth)->Authenticate(creds)) {
      CheckRoles(other->roles, text);
      Check(!other->user_id.empty() && !other->project_id.empty(), "token identity incomplete",
            text);
    }
  }
}

void ConfigFile(std::string_view text) {
  static MemFile file;
  file.Write(text);
  http::ServerConfig config;
  const Status st = http::ApplyConfigFile(file.Path(), config);
  if (!st) {
    Check(st.error().code == ErrorCode::kInvalidArgument, "config error code", st.error().message);
    Check(st.error().message.starts_with(file.Path() + ":"), "config error names a line",
          st.error().message);
  } else {
    Check(config.io_threads >= 1 && config.io_threads <= 256, "io_threads range");
    Check(config.write_threads >= 1 && config.write_threads <= 1024, "write_threads range");
    Check(config.max_limit >= 1 && config.max_limit <= 1000000, "max_limit range");
    Check(
        config.max_body_bytes >= 1 && config.max_header_bytes >= 256 && config.max_url_bytes >= 16,
        "size limits range");
    Check(config.max_connections >= 1 && config.max_connections <= 1000000,
          "max_connections range");
    Check(config.request_timeout.count() >= 1 && config.request_timeout.count() <= 86400 &&
              config.idle_timeout.count() >= 1 && config.idle_timeout.count() <= 86400,
          "timeouts range");
    (void)http::ValidateConfig(config);
  }
  // The first line alone as a listen address.
  std::string_view rest = text;
  const std::string_view listen = Line(rest);
  http::ServerConfig lc;
  if (http::ParseListen(listen, lc)) {
    Check(!lc.listen_host.empty(), "listen host empty", listen);
    Check(listen.ends_with(std::to_string(lc.listen_port)), "listen port", listen);
  }
}

}  // namespace
}  // namespace actionlog::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace actionlog::fuzz;  // NOLINT(google-build-using-namespace)
  if (size == 0) {
    return -1;
  }
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      NoAuth(text);
      break;
    case 1:
      Headers(text);
      break;
    case 2:
      TokensFile(text);
      break;
    default:
      ConfigFile(text);
      break;
  }
  return 0;
}
