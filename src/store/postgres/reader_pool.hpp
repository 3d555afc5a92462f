// A bounded pool of PostgreSQL connections for reads, schema checks and upgrades.
//
// Connections are opened on demand up to `size`; Acquire() blocks while all of them are lent
// out. A lent connection that was lost is reconnected before it is handed out again; one that
// comes back inside a transaction is rolled back. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actionlog/store/store.hpp"
#include "store/postgres/connection.hpp"

namespace actionlog::store::postgres {

class ReaderPool {
 public:
  class Lease {
   public:
    Lease(ReaderPool* pool, Connection* conn) : pool_(pool), conn_(conn) {}

    ~Lease() {
      if (pool_ != nullptr) {
        pool_->Release(conn_);
      }
    }

    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(other.conn_) {
      other.pool_ = nullptr;
    }

    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;

    Connection& Conn() const { return *conn_; }

   private:
    ReaderPool* pool_;
    Connection* conn_;
  };

  // `first` is an open connection the pool adopts; `size` is at least 2.
  ReaderPool(std::string conninfo, Durability durability, int size,
             std::unique_ptr<Connection> first);

  // A connection for the caller's exclusive use. kUnavailable when a new or lost connection
  // cannot be (re)established.
  Result<Lease> Acquire();

 private:
  void Release(Connection* conn);

  const std::string conninfo_;
  const Durability durability_;
  const std::size_t size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> conns_;  // every connection opened so far
  std::vector<Connection*> free_;
  std::size_t opening_ = 0;  // connections being opened outside mu_
};

}  // namespace actionlog::store::postgres
