// A fixed pool of read-only connections (PRAGMA query_only) to one WAL database file.
//
// Acquire() blocks until a connection is free; the Lease gives it back when destroyed.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actionlog/store/store.hpp"
#include "store/sqlite/connection.hpp"

namespace actionlog::store::sqlite {

class ReaderPool {
 public:
  class Lease {
   public:
    Lease(ReaderPool& pool, Connection& conn) : pool_(pool), conn_(conn) {}

    ~Lease() { pool_.Release(conn_); }

    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    Connection& Conn() const { return conn_; }

   private:
    ReaderPool& pool_;
    Connection& conn_;
  };

  // Opens `size` (at least 1) readers of `path`. Errors of Connection::Open / Configure.
  Status Open(const std::string& path, int size, Durability durability);

  Lease Acquire();

 private:
  void Release(Connection& conn);

  std::vector<std::unique_ptr<Connection>> conns_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Connection*> free_;
};

}  // namespace actionlog::store::sqlite
