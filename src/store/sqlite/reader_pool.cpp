#include "store/sqlite/reader_pool.hpp"

#include <algorithm>

namespace actionlog::store::sqlite {

Status ReaderPool::Open(const std::string& path, int size, Durability durability) {
  const int count = std::max(size, 1);
  for (int i = 0; i < count; ++i) {
    ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(path, false));
    ACTIONLOG_RETURN_IF_ERROR(conn->Configure(durability, /*writer=*/false));
    conns_.push_back(std::move(conn));
  }
  const std::lock_guard<std::mutex> lock(mu_);
  for (const auto& conn : conns_) {
    free_.push_back(conn.get());
  }
  return OkStatus();
}

ReaderPool::Lease ReaderPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  Connection* conn = free_.back();
  free_.pop_back();
  return {*this, *conn};
}

void ReaderPool::Release(Connection& conn) {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(&conn);
  }
  cv_.notify_one();
}

}  // namespace actionlog::store::sqlite
