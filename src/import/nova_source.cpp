#include "import/nova_source.hpp"

#include <string>

#include "import/nova_sqlite_source.hpp"

namespace actionlog::import {

Result<std::unique_ptr<NovaSource>> OpenNovaSource(std::string_view url) {
  constexpr std::string_view kSqlitePrefix = "sqlite://";
  if (url.starts_with(kSqlitePrefix)) {
    const std::string_view path = url.substr(kSqlitePrefix.size());
    if (path.empty() || path == "/") {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Nova database URL has no path: expected sqlite:///path/to/nova.sqlite");
    }
    return OpenNovaSqliteSource(std::string(path));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return MakeError(ErrorCode::kUnsupported,
                     "importing from a PostgreSQL Nova database is not supported yet; "
                     "use a sqlite:/// URL");
  }
  return MakeError(ErrorCode::kInvalidArgument, "unknown Nova database URL '" + std::string(url) +
                                                    "': expected sqlite:///path/to/nova.sqlite");
}

}  // namespace actionlog::import
