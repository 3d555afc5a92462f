#include "actionlog/store/open_store.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "store/routing_store.hpp"
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
  return MakeError(
      ErrorCode::kInvalidArgument,
      "unknown database URL '" + RedactUrl(url) + "': expected sqlite:///path or postgresql://...");
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  constexpr std::string_view kHidden = "***";
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(url);
  }
  const std::size_t authority = scheme_end + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
  std::string out(url.substr(0, authority));
  const std::string_view host_part = url.substr(authority, authority_end - authority);
  const std::size_t at = host_part.rfind('@');
  const std::size_t colon = host_part.substr(0, at == std::string_view::npos ? 0 : at).find(':');
  if (at != std::string_view::npos && colon != std::string_view::npos) {
    out += host_part.substr(0, colon + 1);
    out += kHidden;
    out += host_part.substr(at);
  } else {
    out += host_part;
  }
  std::string_view rest = url.substr(authority_end);
  const std::size_t query = rest.find('?');
  out += rest.substr(0, query == std::string_view::npos ? rest.size() : query + 1);
  if (query == std::string_view::npos) {
    return out;
  }
  rest.remove_prefix(query + 1);
  const std::size_t fragment = rest.find('#');
  const std::string_view params = rest.substr(0, fragment);
  std::size_t start = 0;
  while (start <= params.size()) {
    const std::size_t end = std::min(params.find('&', start), params.size());
    const std::string_view param = params.substr(start, end - start);
    if (param.starts_with("password=")) {
      out += "password=";
      out += kHidden;
    } else {
      out += param;
    }
    if (end == params.size()) {
      break;
    }
    out += '&';
    start = end + 1;
  }
  if (fragment != std::string_view::npos) {
    out += rest.substr(fragment);
  }
  return out;
}

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
    return MakeError(reads.error().code, "read database '" + RedactUrl(options.read_url) +
                                             "': " + reads.error().message);
  }
  return MakeRoutingStore(std::move(primary), std::move(*reads));
}

}  // namespace actionlog::store
