// Configuration of `actionlog serve`: defaults, an OpenStack-style INI file, and validation.
//
// INI sections and keys (unknown keys are ignored, as oslo.config does):
//   [DEFAULT]  osapi_compute_listen, osapi_compute_listen_port, listen (HOST:PORT),
//              osapi_compute_workers (I/O threads), access_log (path, "-" = stderr, "" = off)
//   [api]      auth_strategy (noauth|headers|tokens; "keystone" = headers, "noauth2" = noauth),
//              max_limit, compute_link_prefix, trusted_proxies (comma list of IPs),
//              tokens_file
//   [database] connection (sqlite:///path, postgresql://...), relaxed_durability
//   [limits]   max_body_bytes, max_header_bytes, max_url_bytes, max_connections,
//              request_timeout, idle_timeout (seconds), write_threads
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "actionlog/core/error.hpp"
#include "http/auth.hpp"

namespace actionlog::http {

struct ServerConfig {
  std::string db_url;
  std::string read_db_url;  // [database] slave_connection (StoreOptions::read_url)
  bool relaxed_durability = false;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8774;
  int io_threads = 2;
  int write_threads = 32;  // blocking pool for durable writes (group commit batches across them)
  AuthMode auth_mode = AuthMode::kNoAuth;
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};  // headers mode
  std::string tokens_file;
  std::int64_t max_limit = 1000;
  std::string compute_link_prefix;
  std::string access_log = "-";
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::size_t max_url_bytes = std::size_t{8} * 1024;
  int max_connections = 1024;
  std::chrono::seconds request_timeout{30};
  std::chrono::seconds idle_timeout{60};
};

// Applies the keys of an INI file over `config`. kNotFound when the file cannot be read,
// kInvalidArgument (with file:line) for a malformed line or value.
Status ApplyConfigFile(const std::string& path, ServerConfig& config);

// Parses "HOST:PORT", "[v6]:PORT" or ":PORT" into the config's listen address.
Status ParseListen(std::string_view text, ServerConfig& config);

// Cross-field checks: limits positive, tokens file for tokens mode, ...
Status ValidateConfig(const ServerConfig& config);

}  // namespace actionlog::http
