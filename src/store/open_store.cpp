#include "actionlog/store/open_store.hpp"

#include <string>
#include <utility>

#include "routing_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#ifdef ACTIONLOG_HAVE_POSTGRES
#include "store/postgres/postgres_store.hpp"
#endif

namespace actionlog::store {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite://";

}  // namespace

Result<std::string> SqliteUrlPath(std::string_view url) {
  if (!url.starts_with(kSqlitePrefix)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "not a sqlite URL: expected sqlite:///path/to/file.db");
  }
  std::string_view rest = url.substr(kSqlitePrefix.size());
  if (rest == ":memory:" || rest == "/:memory:") {
    return std::string(":memory:");
  }
  if (rest.empty() || rest == "/") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "sqlite URL has no path: expected sqlite:///path/to/file.db");
  }
  if (rest.find('\0') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "sqlite URL contains a NUL byte");
  }
  while (rest.starts_with("//")) {
    rest.remove_prefix(1);  // sqlite:////abs/path (SQLAlchemy's absolute form)
  }
  return std::string(rest);
}

namespace {

Result<std::unique_ptr<Store>> OpenOne(const StoreOptions& options) {
  const std::string_view url = options.url;
  if (url.starts_with(kSqlitePrefix)) {
    ACTIONLOG_ASSIGN_OR_RETURN(std::string path, SqliteUrlPath(url));
    return sqlite::OpenSqliteStore(options, path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
#ifdef ACTIONLOG_HAVE_POSTGRES
    return postgres::OpenPostgresStore(options);
#else
    return MakeError(ErrorCode::kUnsupported,
                     "this build has no PostgreSQL backend (ACTIONLOG_WITH_POSTGRES=OFF)");
#endif
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown database URL '" + std::string(url) +
                       "': expected sqlite:///path or postgresql://...");
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  if (options.read_url.empty()) {
    return OpenOne(options);
  }
  ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<Store> primary, OpenOne(options));
  StoreOptions read_options = options;
  read_options.url = options.read_url;
  read_options.read_url.clear();
  read_options.read_only = true;
  auto reads = OpenOne(read_options);
  if (!reads) {
    return MakeError(reads.error().code,
                     "read database '" + options.read_url + "': " + reads.error().message);
  }
  return MakeRoutingStore(std::move(primary), std::move(*reads));
}

}  // namespace actionlog::store
