#include "import/nova_source.hpp"

#include <string>

#include "actionlog/store/open_store.hpp"
#include "import/nova_sqlite_source.hpp"

namespace actionlog::import {

Result<std::unique_ptr<NovaSource>> OpenNovaSource(std::string_view url) {
  if (url.starts_with("sqlite://")) {
    ACTIONLOG_ASSIGN_OR_RETURN(std::string path, store::SqliteUrlPath(url));
    return OpenNovaSqliteSource(path);
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
