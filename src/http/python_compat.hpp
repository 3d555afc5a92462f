// Python behaviours that Nova's responses expose byte for byte: repr() of strings and lists
// (validation messages), urllib's unquote/quote_plus (query strings, next links) and WebOb's
// query-string parsing. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace actionlog::http {

// repr(str) as Python 3 prints it: 'abc', "it's", with \n, \x00, \u200b escapes.
// `text` must be valid UTF-8.
std::string PyRepr(std::string_view text);

// repr(list_of_str): ['a', 'b'].
std::string PyReprList(const std::vector<std::string>& items);

// urllib.parse.unquote_to_bytes: %XX decoded, malformed escapes kept literally.
std::string PercentDecode(std::string_view text);

// urllib.parse.quote_plus(text, safe=''): unreserved [A-Za-z0-9_.~-] kept, space as '+'.
void AppendQuotePlus(std::string& out, std::string_view text);

struct QueryParam {
  std::string key;
  std::string value;
};

// WebOb's Request.GET: split on '&' and ';', skip empty fields, '+' is a space, percent-decode,
// a field without '=' has an empty value. Order preserved, duplicates kept.
// `utf8_ok` is false when a decoded key or value is not valid UTF-8.
std::vector<QueryParam> ParseQueryString(std::string_view query, bool& utf8_ok);

}  // namespace actionlog::http
