// State shared by the listener and every session of one Server. Internal to src/http.
// Thread-safe: the registry is guarded by a mutex, counters are atomic, the rest is immutable
// after construction.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <spdlog/logger.h>

#include "http/config.hpp"
#include "http/service.hpp"

namespace actionlog::http {

class Session;

struct ServerState {
  ServerConfig config;
  std::shared_ptr<Service> service;
  boost::asio::any_io_executor write_executor;  // blocking pool for durable writes
  std::shared_ptr<spdlog::logger> access_log;   // null: no access log

  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};

  std::mutex mutex;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;  // guarded by mutex
  std::uint64_t next_session_id = 1;                                   // guarded by mutex
};

}  // namespace actionlog::http
