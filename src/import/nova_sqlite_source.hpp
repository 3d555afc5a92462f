// A NovaSource over a Nova SQLite database file, opened read-only (SQLITE_OPEN_READONLY and
// mode=ro). Nova stores DATETIME columns as text "YYYY-MM-DD HH:MM:SS.ffffff".
#pragma once

#include <memory>
#include <string>

#include "import/nova_source.hpp"

namespace actionlog::import {

// Errors: kInvalidArgument when the file does not exist, is not SQLite or lacks Nova's tables.
Result<std::unique_ptr<NovaSource>> OpenNovaSqliteSource(const std::string& path);

}  // namespace actionlog::import
