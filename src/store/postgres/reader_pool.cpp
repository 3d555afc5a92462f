#include "store/postgres/reader_pool.hpp"

#include <algorithm>
#include <utility>

namespace actionlog::store::postgres {

ReaderPool::ReaderPool(std::string conninfo, Durability durability, int size,
                       std::unique_ptr<Connection> first)
    : conninfo_(std::move(conninfo)),
      durability_(durability),
      size_(static_cast<std::size_t>(std::max(size, 2))) {
  free_.push_back(first.get());
  conns_.push_back(std::move(first));
}

Result<ReaderPool::Lease> ReaderPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !free_.empty() || conns_.size() + opening_ < size_; });
  if (!free_.empty()) {
    Connection* conn = free_.back();
    free_.pop_back();
    lock.unlock();
    Lease lease(this, conn);
    if (conn->IsBroken()) {
      ACTIONLOG_RETURN_IF_ERROR(conn->Reconnect());
    }
    return lease;
  }
  ++opening_;
  lock.unlock();
  auto opened = Connection::Open(conninfo_, durability_);
  lock.lock();
  --opening_;
  if (!opened) {
    cv_.notify_one();
    return opened.error();
  }
  Connection* conn = opened->get();
  conns_.push_back(std::move(*opened));
  return Lease(this, conn);
}

void ReaderPool::Release(Connection* conn) {
  if (!conn->IsBroken() && !conn->IsIdle()) {
    (void)conn->ExecSql("ROLLBACK", "ending an abandoned transaction");
  }
  {
    const std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(conn);
  }
  cv_.notify_one();
}

}  // namespace actionlog::store::postgres
