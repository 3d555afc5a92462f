// A Store over two databases: reads on a replica, everything else on the primary.
//
// OpenStore builds one when StoreOptions::read_url is set (Nova's `[database] slave_connection`).
// Store::Read goes to `reads` (typically a PostgreSQL hot standby, opened read-only), so it may
// lag behind acknowledged writes by the replica's replay delay. Write (and so every read a
// write makes to check its rules), ReadLatest, SchemaVersion and Upgrade go to `primary`.
#pragma once

#include <memory>

#include "actionlog/core/error.hpp"
#include "actionlog/store/store.hpp"

namespace actionlog::store {

// Fails with kUnsupported when the two databases are at different schema versions (a replica
// that has not yet replayed an upgrade, or one of another deployment).
Result<std::unique_ptr<Store>> MakeRoutingStore(std::unique_ptr<Store> primary,
                                                std::unique_ptr<Store> reads);

}  // namespace actionlog::store
