// `actionlog serve`: runs the HTTP service (src/http) over the journal until SIGTERM/SIGINT.
// Precedence: command-line flags, then the --config-file INI, then defaults. The database URL
// comes from --db / ACTIONLOG_DB when given, else [database] connection, else the CLI default;
// reads go to --read-db, else [database] slave_connection, when one is set.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "actionlog/store/open_store.hpp"
#include "cli_support.hpp"
#include "commands.hpp"
#include "http/config.hpp"
#include "http/server.hpp"

namespace actionlog::cli {
namespace {

struct ServeArgs {
  std::string config_file;
  std::string listen;
  std::string auth;
  std::vector<std::string> trusted_proxies;
  std::string tokens_file;
  std::optional<std::string> access_log;
  std::optional<int> io_threads;
  std::optional<int> write_threads;
  std::optional<std::size_t> max_body_bytes;
  std::optional<std::size_t> max_header_bytes;
  std::optional<std::size_t> max_url_bytes;
  std::optional<int> max_connections;
  std::optional<int> request_timeout;
  std::optional<int> idle_timeout;
  std::optional<std::int64_t> max_limit;
  std::optional<std::string> read_db;
  bool db_given = false;
};

template <class T>
void Override(const std::optional<T>& flag, T& value) {
  if (flag) {
    value = *flag;
  }
}

Status ApplyFlags(const ServeArgs& args, http::ServerConfig& config) {
  if (!args.listen.empty()) {
    ACTIONLOG_RETURN_IF_ERROR(http::ParseListen(args.listen, config));
  }
  if (!args.auth.empty()) {
    ACTIONLOG_ASSIGN_OR_RETURN(config.auth_mode, http::ParseAuthMode(args.auth));
  }
  if (!args.trusted_proxies.empty()) {
    config.trusted_proxies = args.trusted_proxies;
  }
  if (!args.tokens_file.empty()) {
    config.tokens_file = args.tokens_file;
  }
  if (args.access_log) {
    config.access_log = *args.access_log == "none" ? std::string() : *args.access_log;
  }
  Override(args.io_threads, config.io_threads);
  Override(args.write_threads, config.write_threads);
  Override(args.max_body_bytes, config.max_body_bytes);
  Override(args.max_header_bytes, config.max_header_bytes);
  Override(args.max_url_bytes, config.max_url_bytes);
  Override(args.max_connections, config.max_connections);
  Override(args.max_limit, config.max_limit);
  if (args.request_timeout) {
    config.request_timeout = std::chrono::seconds(*args.request_timeout);
  }
  if (args.idle_timeout) {
    config.idle_timeout = std::chrono::seconds(*args.idle_timeout);
  }
  return OkStatus();
}

Result<int> RunServe(const GlobalOptions& global, const ServeArgs& args) {
  http::ServerConfig config;
  if (!args.config_file.empty()) {
    ACTIONLOG_RETURN_IF_ERROR(http::ApplyConfigFile(args.config_file, config));
  }
  ACTIONLOG_RETURN_IF_ERROR(ApplyFlags(args, config));
  store::StoreOptions options = MakeStoreOptions(global);
  if (!args.db_given && !config.db_url.empty()) {
    options.url = config.db_url;
  }
  options.read_url =
      args.read_db ? (*args.read_db == "none" ? std::string() : *args.read_db) : config.read_db_url;
  if (config.relaxed_durability) {
    options.durability = store::Durability::kNormal;
  }
  options.read_connections = std::max(4, config.io_threads * 2);
  ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> opened, store::OpenStore(options));
  const std::shared_ptr<store::Store> store(std::move(opened));
  // /journal/v1 reads its own writes on the primary; with a read database, Nova's read API is
  // served from it (reads there may lag behind acknowledged writes).
  auto journal = std::make_shared<Journal>(store, ReadFrom::kPrimary);
  std::shared_ptr<Journal> nova_reads;
  if (!options.read_url.empty()) {
    nova_reads = std::make_shared<Journal>(store, ReadFrom::kReadDatabase);
  }
  ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<http::Server> server,
                             http::Server::Create(journal, config, nova_reads));
  ACTIONLOG_RETURN_IF_ERROR(server->Start());
  std::printf("actionlog listening on %s (auth %s, database %s%s%s)\n", server->Url().c_str(),
              std::string(http::AuthModeName(config.auth_mode)).c_str(),
              store::RedactUrl(options.url).c_str(),
              options.read_url.empty() ? "" : ", reads from ",
              store::RedactUrl(options.read_url).c_str());
  std::fflush(stdout);
  server->Run(/*handle_signals=*/true);
  spdlog::info("actionlog serve stopped");
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve Nova's os-instance-actions API and the /journal/v1 write API over HTTP");
  cmd->add_option("--config-file", args->config_file,
                  "OpenStack-style INI file ([DEFAULT], [api], [database], [limits])");
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (default 127.0.0.1:8774)");
  cmd->add_option("--auth", args->auth, "Auth mode: noauth (default), headers or tokens")
      ->check(CLI::IsMember({"noauth", "noauth2", "headers", "keystone", "tokens"}));
  cmd->add_option("--trusted-proxy", args->trusted_proxies,
                  "Proxy address whose X-User-Id/X-Project-Id/X-Roles are trusted (headers "
                  "mode; repeatable; default 127.0.0.1 and ::1)");
  cmd->add_option("--tokens-file", args->tokens_file,
                  "Token file for --auth tokens: '<sha256-hex> <user> <project> [roles]' lines");
  cmd->add_option("--access-log", args->access_log,
                  "Access log: a file, '-' for stderr (default), 'none' to disable");
  cmd->add_option("--threads", args->io_threads, "I/O threads (default 2)");
  cmd->add_option("--write-threads", args->write_threads, "Threads waiting on durable writes");
  cmd->add_option("--max-body-bytes", args->max_body_bytes, "Largest request body");
  cmd->add_option("--max-header-bytes", args->max_header_bytes, "Largest request header block");
  cmd->add_option("--max-url-bytes", args->max_url_bytes, "Longest request target");
  cmd->add_option("--max-connections", args->max_connections, "Most open connections");
  cmd->add_option("--request-timeout", args->request_timeout, "Seconds to read/write a request");
  cmd->add_option("--idle-timeout", args->idle_timeout, "Seconds a keep-alive connection may idle");
  cmd->add_option("--max-limit", args->max_limit, "Nova's [api] max_limit (default 1000)");
  cmd->add_option("--read-db", args->read_db,
                  "Database URL that serves the reads, e.g. a PostgreSQL hot standby of --db "
                  "([database] slave_connection; writes stay on --db; 'none' for no replica)");
  cmd->callback([&global, &exit_code, args, &app] {
    CLI::Option* db = app.get_option_no_throw("--db");
    args->db_given = (db != nullptr && db->count() > 0) ||
                     std::getenv("ACTIONLOG_DB") != nullptr;  // NOLINT(concurrency-mt-unsafe)
    RunCommand(exit_code, [&global, args] { return RunServe(global, *args); });
  });
}

}  // namespace actionlog::cli
