// The `actionlog serve` HTTP server: Nova's os-instance-actions API and the /journal/v1 write
// API over a Journal (docs/http-api.md).
//
// Usage: Create() → Start() (binds; Port() is then known) → Run() blocks on the calling thread
// plus config.io_threads - 1 more until Stop() or, when asked, SIGTERM/SIGINT. Stop() is
// graceful: stop accepting, close idle connections, finish in-flight requests (writes are
// durable before their response), then Run() returns. Stop() is thread-safe; the other methods
// are called from one thread. Errors: kUnavailable (cannot bind), kInvalidArgument /
// kNotFound (bad configuration, unreadable tokens file).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "actionlog/core/error.hpp"
#include "actionlog/core/journal.hpp"
#include "http/config.hpp"

namespace actionlog::http {

class Server {
 public:
  // `nova_reads`: the Journal behind Nova's read API when it differs from `journal` (which
  // serves /journal/v1), e.g. one reading a replica (see Service).
  static Result<std::unique_ptr<Server>> Create(std::shared_ptr<Journal> journal,
                                                const ServerConfig& config,
                                                std::shared_ptr<Journal> nova_reads = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Status Start();
  std::uint16_t Port() const;
  std::string Url() const;  // "http://127.0.0.1:8774"

  void Run(bool handle_signals);
  void Stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace actionlog::http
