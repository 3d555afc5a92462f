#include "import/nova_source.hpp"

#include <string>

#include "actionlog/store/open_store.hpp"
#include "import/nova_sqlite_source.hpp"

#ifdef ACTIONLOG_IMPORT_HAVE_POSTGRES
#include "import/nova_pg_source.hpp"
#endif

namespace actionlog::import {

Result<std::unique_ptr<NovaSource>> OpenNovaSource(std::string_view url) {
  if (url.starts_with("sqlite://")) {
    ACTIONLOG_ASSIGN_OR_RETURN(std::string path, store::SqliteUrlPath(url));
    return OpenNovaSqliteSource(path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
#ifdef ACTIONLOG_IMPORT_HAVE_POSTGRES
    return OpenNovaPgSource(std::string(url));
#else
    return MakeError(ErrorCode::kUnsupported,
                     "importing from a PostgreSQL Nova database needs a build with "
                     "ACTIONLOG_WITH_POSTGRES=ON; use a sqlite:/// URL");
#endif
  }
  return MakeError(ErrorCode::kInvalidArgument, "unknown Nova database URL '" +
                                                    store::RedactUrl(url) +
                                                    "': expected sqlite:///path/to/nova.sqlite or "
                                                    "postgresql://...");
}

}  // namespace actionlog::import
