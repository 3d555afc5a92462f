// SQLite backend: one writer thread with group commit, a pool of WAL reader connections.
#pragma once

#include <memory>
#include <string>

#include "actionlog/store/store.hpp"

namespace actionlog::store::sqlite {

// `path` is a file path, or ":memory:" for a private in-memory database.
Result<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options,
                                               const std::string& path);

}  // namespace actionlog::store::sqlite
