#include "http/nova_query.hpp"

#include <algorithm>
#include <array>

namespace actionlog::http {
namespace {

struct ParamValues {
  std::string key;
  std::vector<std::string> values;
};

std::vector<ParamValues> DictOfLists(const std::vector<QueryParam>& params) {
  std::vector<ParamValues> dict;
  for (const QueryParam& p : params) {
    auto it = std::find_if(dict.begin(), dict.end(),
                           [&](const ParamValues& d) { return d.key == p.key; });
    if (it == dict.end()) {
      dict.push_back({p.key, {p.value}});
    } else {
      it->values.push_back(p.value);
    }
  }
  return dict;
}

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Error ItemError(std::string_view key, const std::string& value, std::string_view what) {
  return Invalid("Invalid input for query parameters " + std::string(key) + ". Value: " + value +
                 ". " + PyRepr(value) + std::string(what));
}

// Python's re.search('^[0-9]*$', s): '$' also matches before one trailing newline.
bool MatchesDigits(std::string_view s) {
  if (!s.empty() && s.back() == '\n') {
    s.remove_suffix(1);
  }
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<Error> CheckItem(std::string_view key, const std::string& value) {
  if (key == "limit") {
    if (!MatchesDigits(value)) {
      return ItemError(key, value, " does not match '^[0-9]*$'");
    }
    if (value.empty()) {
      return ItemError(key, value, " is too short");
    }
  } else if (key == "changes-since" || key == "changes-before") {
    if (!ParseIso8601(value)) {
      return ItemError(key, value, " is not a 'date-time'");
    }
  }
  return std::nullopt;
}

std::optional<Error> CheckProperty(const ParamValues& param) {
  for (const std::string& value : param.values) {
    if (auto err = CheckItem(param.key, value)) {
      return err;
    }
  }
  if (param.values.size() > 1) {
    const std::string repr = PyReprList(param.values);
    return Invalid("Invalid input for query parameters " + param.key + ". Value: " + repr + ". " +
                   repr + " is too long");
  }
  return std::nullopt;
}

std::int64_t ParseLimit(std::string_view digits, std::int64_t max_limit) {
  std::int64_t v = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') {
      continue;
    }
    v = v * 10 + (c - '0');
    if (v > max_limit) {
      return max_limit;
    }
  }
  return v;
}

}  // namespace

Result<IndexQuery> ParseIndexQuery(const std::vector<QueryParam>& params, bool utf8_ok,
                                   ApiVersion version, std::int64_t max_limit) {
  if (!utf8_ok) {
    return Invalid("Query string is not UTF-8 encoded");
  }
  const std::vector<ParamValues> dict = DictOfLists(params);
  std::vector<std::string_view> known = {"limit", "marker", "changes-since"};
  if (version.AtLeast(66)) {
    known.emplace_back("changes-before");
  }
  for (const std::string_view name : known) {
    auto it =
        std::find_if(dict.begin(), dict.end(), [&](const ParamValues& d) { return d.key == name; });
    if (it != dict.end()) {
      if (auto err = CheckProperty(*it)) {
        return *err;
      }
    }
  }
  std::vector<std::string> extras;
  for (const ParamValues& d : dict) {
    if (std::find(known.begin(), known.end(), d.key) == known.end()) {
      extras.push_back(d.key);
    }
  }
  if (!extras.empty()) {
    std::string list;
    for (std::size_t i = 0; i < extras.size(); ++i) {
      list += (i > 0 ? ", " : "") + PyRepr(extras[i]);
    }
    return Invalid("Additional properties are not allowed (" + list +
                   (extras.size() == 1 ? " was" : " were") + " unexpected)");
  }
  IndexQuery query;
  query.limit = max_limit;
  for (const ParamValues& d : dict) {
    const std::string& value = d.values.front();
    if (d.key == "limit") {
      query.limit_given = true;
      query.limit = ParseLimit(value, max_limit);
    } else if (d.key == "marker") {
      query.marker = value;
    } else if (d.key == "changes-since") {
      query.changes_since = *ParseIso8601(value);
    } else if (d.key == "changes-before") {
      query.changes_before = *ParseIso8601(value);
    }
  }
  return query;
}

Status CheckTimeWindow(const IndexQuery& query) {
  if (query.changes_since && query.changes_before && *query.changes_before < *query.changes_since) {
    return Invalid("The value of changes-since must be less than or equal to changes-before.");
  }
  return OkStatus();
}

std::string BuildNextLink(std::string_view prefix, std::string_view server_id,
                          const std::vector<QueryParam>& params, std::string_view marker) {
  std::vector<QueryParam> sorted = params;
  std::stable_sort(sorted.begin(), sorted.end(), [](const QueryParam& a, const QueryParam& b) {
    return a.key != b.key ? a.key < b.key : a.value < b.value;
  });
  // OrderedDict(sorted(...)): the first position of a key, its last value.
  std::vector<QueryParam> unique;
  for (QueryParam& p : sorted) {
    if (!unique.empty() && unique.back().key == p.key) {
      unique.back().value = std::move(p.value);
    } else {
      unique.push_back(std::move(p));
    }
  }
  auto it = std::find_if(unique.begin(), unique.end(),
                         [](const QueryParam& p) { return p.key == "marker"; });
  if (it != unique.end()) {
    it->value = std::string(marker);
  } else {
    unique.push_back({"marker", std::string(marker)});
  }
  std::string href(prefix);
  href.append("/servers/");
  href.append(server_id);
  href.append("/os-instance-actions?");
  for (std::size_t i = 0; i < unique.size(); ++i) {
    if (i > 0) {
      href.push_back('&');
    }
    AppendQuotePlus(href, unique[i].key);
    href.push_back('=');
    AppendQuotePlus(href, unique[i].value);
  }
  return href;
}

}  // namespace actionlog::http
