#include "http/config.hpp"

#include <cctype>
#include <charconv>
#include <fstream>

namespace actionlog::http {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

template <class T>
Status ParseNumber(std::string_view text, T& out, T min, T max) {
  T value{};
  const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
  if (res.ec != std::errc() || res.ptr != text.data() + text.size() || value < min || value > max) {
    return Invalid("'" + std::string(text) + "' is not a number in [" + std::to_string(min) + ", " +
                   std::to_string(max) + "]");
  }
  out = value;
  return OkStatus();
}

Status ParseBool(std::string_view text, bool& out) {
  if (text == "true" || text == "True" || text == "1" || text == "yes") {
    out = true;
  } else if (text == "false" || text == "False" || text == "0" || text == "no") {
    out = false;
  } else {
    return Invalid("'" + std::string(text) + "' is not a boolean");
  }
  return OkStatus();
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) {
      comma = text.size();
    }
    std::string item = Trim(text.substr(start, comma - start));
    if (!item.empty()) {
      out.push_back(std::move(item));
    }
    start = comma + 1;
  }
  return out;
}

Status ApplyDefault(const std::string& key, const std::string& value, ServerConfig& c) {
  if (key == "osapi_compute_listen") {
    c.listen_host = value;
  } else if (key == "osapi_compute_listen_port") {
    return ParseNumber<std::uint16_t>(value, c.listen_port, 0, 65535);
  } else if (key == "listen") {
    return ParseListen(value, c);
  } else if (key == "osapi_compute_workers") {
    return ParseNumber(value, c.io_threads, 1, 256);
  } else if (key == "access_log") {
    c.access_log = value;
  }
  return OkStatus();
}

Status ApplyApi(const std::string& key, const std::string& value, ServerConfig& c) {
  if (key == "auth_strategy") {
    ACTIONLOG_ASSIGN_OR_RETURN(c.auth_mode, ParseAuthMode(value));
  } else if (key == "max_limit") {
    return ParseNumber<std::int64_t>(value, c.max_limit, 1, 1000000);
  } else if (key == "compute_link_prefix") {
    c.compute_link_prefix = value;
  } else if (key == "trusted_proxies") {
    c.trusted_proxies = SplitList(value);
  } else if (key == "tokens_file") {
    c.tokens_file = value;
  }
  return OkStatus();
}

Status ApplyLimits(const std::string& key, const std::string& value, ServerConfig& c) {
  constexpr std::size_t kMaxBytes = std::size_t{1} << 30;
  if (key == "max_body_bytes") {
    return ParseNumber<std::size_t>(value, c.max_body_bytes, 1, kMaxBytes);
  }
  if (key == "max_header_bytes") {
    return ParseNumber<std::size_t>(value, c.max_header_bytes, 256, kMaxBytes);
  }
  if (key == "max_url_bytes") {
    return ParseNumber<std::size_t>(value, c.max_url_bytes, 16, kMaxBytes);
  }
  if (key == "max_connections") {
    return ParseNumber(value, c.max_connections, 1, 1000000);
  }
  if (key == "write_threads") {
    return ParseNumber(value, c.write_threads, 1, 1024);
  }
  std::int64_t seconds = 0;
  if (key == "request_timeout" || key == "idle_timeout") {
    ACTIONLOG_RETURN_IF_ERROR(ParseNumber<std::int64_t>(value, seconds, 1, 86400));
    (key == "request_timeout" ? c.request_timeout : c.idle_timeout) = std::chrono::seconds(seconds);
  }
  return OkStatus();
}

Status ApplyKey(const std::string& section, const std::string& key, const std::string& value,
                ServerConfig& c) {
  if (section == "DEFAULT") {
    return ApplyDefault(key, value, c);
  }
  if (section == "api") {
    return ApplyApi(key, value, c);
  }
  if (section == "database") {
    if (key == "connection") {
      c.db_url = value;
    } else if (key == "slave_connection") {  // oslo.db's name for a read replica's URL
      c.read_db_url = value;
    } else if (key == "relaxed_durability") {
      return ParseBool(value, c.relaxed_durability);
    }
    return OkStatus();
  }
  if (section == "limits") {
    return ApplyLimits(key, value, c);
  }
  return OkStatus();
}

}  // namespace

Status ParseListen(std::string_view text, ServerConfig& config) {
  std::string host;
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Invalid("listen address '" + std::string(text) + "': expected [ADDR]:PORT");
    }
    host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Invalid("listen address '" + std::string(text) + "': expected HOST:PORT");
    }
    host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  std::uint16_t p = 0;
  if (auto st = ParseNumber<std::uint16_t>(port, p, 0, 65535); !st) {
    return Invalid("listen address '" + std::string(text) + "': bad port");
  }
  config.listen_host = host.empty() ? "0.0.0.0" : host;
  config.listen_port = p;
  return OkStatus();
}

Status ApplyConfigFile(const std::string& path, ServerConfig& config) {
  std::ifstream in(path);
  if (!in) {
    return MakeError(ErrorCode::kNotFound, "cannot read config file '" + path + "'");
  }
  std::string section = "DEFAULT";
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string t = Trim(line);
    if (t.empty() || t.front() == '#' || t.front() == ';') {
      continue;
    }
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (t.front() == '[') {
      if (t.back() != ']') {
        return Invalid(where + "malformed section header");
      }
      section = Trim(std::string_view(t).substr(1, t.size() - 2));
      continue;
    }
    const std::size_t eq = t.find('=');
    if (eq == std::string::npos) {
      return Invalid(where + "expected key = value");
    }
    const Status st = ApplyKey(section, Trim(std::string_view(t).substr(0, eq)),
                               Trim(std::string_view(t).substr(eq + 1)), config);
    if (!st) {
      return Invalid(where + st.error().message);
    }
  }
  return OkStatus();
}

Status ValidateConfig(const ServerConfig& config) {
  if (config.auth_mode == AuthMode::kTokens && config.tokens_file.empty()) {
    return Invalid("auth mode 'tokens' needs a tokens file ([api] tokens_file or --tokens-file)");
  }
  if (config.io_threads < 1 || config.write_threads < 1 || config.max_connections < 1) {
    return Invalid("threads and max_connections must be at least 1");
  }
  return OkStatus();
}

}  // namespace actionlog::http
