// Opens a Store by URL scheme: sqlite:// (always built) or postgresql:// (when built with
// ACTIONLOG_WITH_POSTGRES). Errors: kInvalidArgument for a malformed or unknown URL,
// kUnsupported for a database newer than this binary or older without allow_old_schema,
// kUnavailable when the database cannot be reached. With options.read_url, the read database is
// opened read-only beside it and serves Store::Read (its errors are prefixed "read database");
// kUnsupported when the two are at different schema versions.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "actionlog/store/store.hpp"

namespace actionlog::store {

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

// The file path of a sqlite:// URL: sqlite:///abs/path and SQLAlchemy's sqlite:////abs/path give
// /abs/path, sqlite://relative/path gives relative/path, sqlite://:memory: gives ":memory:".
// kInvalidArgument when the URL is not sqlite:// or names no path.
Result<std::string> SqliteUrlPath(std::string_view url);

// `url` fit for logs and error messages: the password of `scheme://user:password@host` and the
// value of a `password=` query parameter are replaced by "***". Anything else is unchanged.
std::string RedactUrl(std::string_view url);

}  // namespace actionlog::store
