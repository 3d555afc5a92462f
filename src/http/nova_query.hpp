// Query-string rules of GET /servers/{id}/os-instance-actions (index) from microversion 2.58:
// Nova's JSON-schema validation with its exact messages, limit clamping, and the `next` link.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actionlog/core/error.hpp"
#include "actionlog/core/time.hpp"
#include "http/microversion.hpp"
#include "http/python_compat.hpp"

namespace actionlog::http {

struct IndexQuery {
  std::int64_t limit = 0;  // min(max_limit, requested); max_limit when not given
  bool limit_given = false;
  std::optional<std::string> marker;
  std::optional<Timestamp> changes_since;
  std::optional<Timestamp> changes_before;
};

// Validates the query as Nova's list_query_params_v258 / _v266 schemas do. Errors are
// kInvalidArgument with Nova's message (the 400 badRequest text).
Result<IndexQuery> ParseIndexQuery(const std::vector<QueryParam>& params, bool utf8_ok,
                                   ApiVersion version, std::int64_t max_limit);

// Nova's check after the instance lookup: changes-since must not be after changes-before.
Status CheckTimeWindow(const IndexQuery& query);

// <prefix>/<collection>?<sorted params with marker replaced>, as Nova's _get_next_link builds it.
// `prefix` is the application URL (e.g. "http://host:8774/v2.1") with the project segment
// already appended when it applies.
std::string BuildNextLink(std::string_view prefix, std::string_view server_id,
                          const std::vector<QueryParam>& params, std::string_view marker);

}  // namespace actionlog::http
