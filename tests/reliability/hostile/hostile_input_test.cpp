// Hostile input at the API layer, over real sockets: malformed and deeply nested JSON, wrong
// types, huge numbers, invalid UTF-8, NUL bytes, overlong strings, odd UUIDs and request ids,
// path traversal, SQL metacharacters, bad timestamps, bad microversions and bad query parameters
// (docs/reliability.md, "Hostile input"). Every answer is a 4xx with the documented fault (or a
// documented success); the fixture checks after each test that the server still serves, that the
// record written before is unchanged and that the hash chain verifies.
#include <chrono>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hostile_fixture.hpp"

namespace actionlog::reliability {
namespace {

using V = bhttp::verb;
using namespace std::string_literals;

struct Case {
  std::string name;
  V method;
  std::string target;
  std::string token;
  std::string body;
  std::string microversion;
  unsigned status;
  std::string fault;  // JSON fault key expected in the body ("" = not checked)
};

const std::string kInstance = "/journal/v1/instances/" + std::string(kServer);
const std::string kActions = kInstance + "/actions";
const std::string kNovaServer = "/v2.1/servers/" + std::string(kServer);
const std::string kIndex = kNovaServer + "/os-instance-actions";

// {"action": {<fields>}} with every required field, `override` replacing or adding members.
std::string StartBody(std::string_view request_id_json, std::string_view extra = {}) {
  std::string body = R"({"action": {"request_id": )" + std::string(request_id_json) +
                     R"(, "action": "reboot", "user_id": "alice", "project_id": "projA")";
  if (!extra.empty()) {
    body += ", " + std::string(extra);
  }
  return body + "}}";
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

Case Start(std::string name, std::string body, unsigned status, std::string fault = "badRequest") {
  return {std::move(name), V::post, kActions, std::string(kService),
          std::move(body), "",      status,   std::move(fault)};
}

Case NovaGet(std::string name, std::string target, std::string microversion, unsigned status,
             std::string fault = {}) {
  return {std::move(name),         V::get, std::move(target), std::string(kOwner), "",
          std::move(microversion), status, std::move(fault)};
}

std::string Percent(std::string_view raw) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.') {
      out.push_back(c);
    } else {
      out += {'%', kHex[u >> 4U], kHex[u & 0xFU]};
    }
  }
  return out;
}

void RunCases(std::uint16_t port, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto res = Exchange(port, MakeRequest(c.method, c.target, c.token, c.body, c.microversion));
    ASSERT_TRUE(res) << "no response";
    EXPECT_EQ(res->result_int(), c.status) << res->body().substr(0, 300);
    EXPECT_LT(res->result_int(), 500U) << res->body().substr(0, 300);
    if (!c.fault.empty()) {
      EXPECT_NE(res->body().find("\"" + c.fault + "\""), std::string::npos)
          << res->body().substr(0, 300);
    }
  }
}

TEST_F(HostileTest, MalformedJsonBodies) {
  RunCases(port(),
           {
               Start("100000-nested-arrays", R"({"action": )" + std::string(100000, '['), 400),
               Start(
                   "40000-nested-objects",
                   [] {
                     std::string s;
                     for (int i = 0; i < 40000; ++i) {  // 200 KB, under max_body_bytes
                       s += R"({"a":)";
                     }
                     return s;
                   }(),
                   400),
               Start("nested-beyond-depth-in-a-field",
                     StartBody(Quoted("req-n"),
                               R"("start_time": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]])"),
                     400),
               Start("truncated", R"({"action": {"request_id": "req-t")", 400),
               Start("trailing-garbage", StartBody(Quoted("req-g")) + "x", 400),
               Start("two-documents", StartBody(Quoted("req-g")) + "{}", 400),
               Start("comment", "/* hi */" + StartBody(Quoted("req-g")), 400),
               Start("single-quotes", "{'action': {}}", 400),
               Start("nan", StartBody(Quoted("req-g"), R"("start_time": NaN)"), 400),
               Start("infinity", StartBody(Quoted("req-g"), R"("start_time": Infinity)"), 400),
               Start("utf8-bom", "\xEF\xBB\xBF" + StartBody(Quoted("req-bom")), 400),
               Start("whitespace-only", "   \r\n\t ", 400),
               Start("nul-outside-strings", "{\0}"s, 400),
               Start("raw-newline-in-string", StartBody("\"req-\nx\""), 400),
           });
}

TEST_F(HostileTest, WrongJsonTypesAndHugeNumbers) {
  std::vector<Case> cases;
  const std::vector<std::pair<std::string, std::string>> values = {
      {"number", "5"},
      {"float", "1.5"},
      {"bool", "true"},
      {"array", R"(["req-x"])"},
      {"object", R"({"id": "req-x"})"},
      {"huge-integer", "123456789012345678901234567890123456789"},
      {"huge-exponent", "1e999999999"},
      {"tiny-exponent", "1e-999999999"},
      {"100000-digit-number", std::string(100000, '7')},
      {"negative-zero", "-0"},
  };
  for (const auto& [type, value] : values) {
    cases.push_back(Start("request_id-" + type, StartBody(value), 400));
    cases.push_back(
        Start("start_time-" + type, StartBody(Quoted("req-x"), R"("start_time": )" + value), 400));
    cases.push_back({"instance-project_id-" + type, V::put, kInstance, std::string(kService),
                     R"({"instance": {"project_id": )" + value + "}}", "", 400, "badRequest"});
    cases.push_back({"event-finish-result-" + type, V::post,
                     kActions + "/" + std::string(kRequestId) + "/events/compute_reboot/finish",
                     std::string(kService), R"({"result": )" + value + "}", "", 400, "badRequest"});
  }
  cases.push_back(Start("required-null", StartBody("null"), 400));
  cases.push_back(Start("envelope-string", R"({"action": "reboot"})", 400));
  cases.push_back(Start("envelope-array", R"({"action": [1, 2]})", 400));
  cases.push_back(Start("events-not-array", StartBody(Quoted("req-x"), R"("events": {})"), 400));
  cases.push_back({"clone-events-of-numbers", V::put, kActions + "/req-clone-bad",
                   std::string(kService),
                   R"({"action": {"action": "x", "user_id": "u", "project_id": "projA",)"
                   R"( "start_time": "2026-01-01", "events": [1, 2, 3]}})",
                   "", 400, "badRequest"});
  RunCases(port(), cases);
}

TEST_F(HostileTest, InvalidUtf8NulAndControlCharacters) {
  RunCases(port(), {
                       Start("invalid-byte", StartBody("\"req-\xff\""), 400),
                       Start("overlong-slash", StartBody("\"req-\xc0\xaf\""), 400),
                       Start("utf8-encoded-surrogate", StartBody("\"req-\xed\xa0\x80\""), 400),
                       Start("five-byte-sequence", StartBody("\"req-\xf8\x88\x80\x80\x80\""), 400),
                       Start("above-u10ffff", StartBody("\"req-\xf4\x90\x80\x80\""), 400),
                       Start("truncated-sequence", StartBody("\"req-\xe2\x82\""), 400),
                       Start("escaped-lone-surrogate", StartBody(R"("req-\ud800")"), 400),
                       Start("escaped-reversed-pair", StartBody(R"("req-\udc00\ud800")"), 400),
                       Start("escaped-nul", StartBody(R"("req-\u0000x")"), 400),
                       Start("raw-nul", StartBody("\"req-\0x\""s), 400),
                       Start("escaped-control", StartBody(R"("req-\u0001")"), 400),
                       Start("escaped-newline", StartBody(R"("req-\nx")"), 400),
                       Start("escaped-del", StartBody(R"("req-\u007f")"), 400),
                       Start("invalid-utf8-in-key", "{\"act\xffion\": {}}", 400),
                       {"nul-in-event-name", V::post,
                        kActions + "/" + std::string(kRequestId) + "/events", std::string(kService),
                        R"({"event": {"event": "ev\u0000il"}})", "", 400, "badRequest"},
                       {"nul-in-traceback", V::post,
                        kActions + "/" + std::string(kRequestId) + "/events/compute_reboot/finish",
                        std::string(kService), R"({"result": "Error", "traceback": "a\u0000b"})",
                        "", 400, "badRequest"},
                       {"invalid-utf8-in-details", V::post,
                        kActions + "/" + std::string(kRequestId) + "/events/compute_reboot/finish",
                        std::string(kService), "{\"result\": \"Error\", \"details\": \"\xfe\"}", "",
                        400, "badRequest"},
                   });
}

TEST_F(HostileTest, OverlongStrings) {
  const std::string event_url = kActions + "/" + std::string(kRequestId) + "/events";
  const std::string finish_url = event_url + "/compute_reboot/finish";
  RunCases(
      port(),
      {
          Start("request_id-256-bytes", StartBody(Quoted(std::string(256, 'r'))), 400),
          Start("request_id-100000-bytes", StartBody(Quoted(std::string(100000, 'r'))), 400),
          Start("action-256-bytes",
                StartBody(Quoted("req-x"), R"("action": ")" + std::string(256, 'a') + "\""), 400),
          Start(
              "user_id-128-two-byte-chars",  // 256 bytes in 128 characters
              [] {
                std::string u;
                for (int i = 0; i < 128; ++i) {
                  u += "\xc3\xa9";
                }
                return R"({"action": {"request_id": "req-u", "action": "a", "user_id": ")" + u +
                       R"(", "project_id": "projA"}})";
              }(),
              400),
          {"event-256-bytes", V::post, event_url, std::string(kService),
           R"({"event": {"event": ")" + std::string(256, 'e') + "\"}}", "", 400, "badRequest"},
          {"host-256-bytes", V::post, event_url, std::string(kService),
           R"({"event": {"event": "e", "host": ")" + std::string(256, 'h') + "\"}}", "", 400,
           "badRequest"},
          {"traceback-65536-bytes", V::post, finish_url, std::string(kService),
           R"({"result": "Error", "traceback": ")" + std::string(65536, 't') + "\"}", "", 400,
           "badRequest"},
          {"details-65536-bytes", V::post, finish_url, std::string(kService),
           R"({"result": "Error", "details": ")" + std::string(65536, 'd') + "\"}", "", 400,
           "badRequest"},
          {"display_name-256-bytes", V::put, kInstance, std::string(kService),
           R"({"instance": {"project_id": "projA", "display_name": ")" + std::string(256, 'n') +
               "\"}}",
           "", 400, "badRequest"},
          {"body-over-max_body_bytes", V::post, kActions, std::string(kService),
           StartBody(Quoted("req-x"), R"("zz": ")" + std::string(300 * 1024, 'z') + "\""), "", 413,
           ""},
      });
}

TEST_F(HostileTest, LimitsAcceptTheLongestValidValues) {
  const std::string rid(255, 'r');
  auto res = Exchange(port(), MakeRequest(V::post, kActions, kService, StartBody(Quoted(rid))));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 201U) << res->body().substr(0, 300);
  const std::string action = kActions + "/" + rid;
  res = Exchange(
      port(), MakeRequest(V::post, action + "/events", kService, R"({"event": {"event": "e"}})"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 201U) << res->body();
  // A traceback of exactly 65535 bytes is kept; details longer than 255 bytes are cut on a
  // UTF-8 boundary (three-byte characters: 85 of them fit in 255 bytes).
  std::string details;
  for (int i = 0; i < 200; ++i) {
    details += "\xe2\x82\xac";
  }
  res = Exchange(port(),
                 MakeRequest(V::post, action + "/events/e/finish", kService,
                             R"({"result": "Error", "traceback": ")" + std::string(65535, 't') +
                                 R"(", "details": ")" + details + "\"}"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->result_int(), 200U) << res->body().substr(0, 300);
  const auto event = boost::json::parse(res->body()).at("event");
  EXPECT_EQ(event.at("traceback").as_string().size(), 65535U);
  EXPECT_EQ(event.at("details").as_string(), details.substr(0, 255));
}

TEST_F(HostileTest, OddUuidsAndRequestIds) {
  const std::string upper = "11111111-2222-4333-8444-5555555555AA";
  std::vector<Case> cases;
  const std::vector<std::pair<std::string, std::string>> bad_uuids = {
      {"braces", "{11111111-2222-4333-8444-555555555555}"},
      {"no-dashes", "11111111222243338444555555555555"},
      {"urn", "urn:uuid:11111111-2222-4333-8444-555555555555"},
      {"non-hex", "g1111111-2222-4333-8444-555555555555"},
      {"arabic-indic-digit",
       "\xd9\xa1"
       "1111111-2222-4333-8444-555555555555"},
      {"fullwidth-digit",
       "\xef\xbc\x91"
       "1111111-2222-4333-8444-555555555555"},
      {"trailing-newline", "11111111-2222-4333-8444-555555555555\n"},
      {"leading-space", " 11111111-2222-4333-8444-555555555555"},
      {"sql", "' OR '1'='1"},
      {"nul", "11111111-2222-4333-8444-55555555555\0"s},
      {"too-long", "11111111-2222-4333-8444-5555555555555"},
  };
  for (const auto& [name, uuid] : bad_uuids) {
    cases.push_back({"journal-put-" + name, V::put, "/journal/v1/instances/" + Percent(uuid),
                     std::string(kService), R"({"instance": {"project_id": "projA"}})", "", 400,
                     "badRequest"});
    cases.push_back(NovaGet("nova-index-" + name,
                            "/v2.1/servers/" + Percent(uuid) + "/os-instance-actions", "2.58", 404,
                            "itemNotFound"));
    cases.push_back(
        NovaGet("nova-server-" + name, "/v2.1/servers/" + Percent(uuid), "", 404, "itemNotFound"));
  }
  const std::vector<std::pair<std::string, std::string>> odd_request_ids = {
      {"uppercase", "REQ-AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE"},
      {"braces", "{req-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}"},
      {"no-dashes", "reqaaaaaaaabbbb4ccc8dddeeeeeeeeeeee"},
      {"no-prefix", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"},
      {"arabic-indic-digit", "req-\xd9\xa1"},
      {"trailing-space", std::string(kRequestId) + " "},
      {"nul", std::string(kRequestId) + "\0"s},
      {"sql-or", "' OR '1'='1"},
      {"sql-drop", "\"; DROP TABLE instance_actions; --"},
      {"sql-like", "%"},
      {"sql-underscore", "req-________-____-____-____-____________"},
  };
  for (const auto& [name, rid] : odd_request_ids) {
    cases.push_back(
        NovaGet("nova-show-" + name, kIndex + "/" + Percent(rid), "2.84", 404, "itemNotFound"));
    cases.push_back(NovaGet("nova-marker-" + name, kIndex + "?marker=" + Percent(rid), "2.58", 400,
                            "badRequest"));
    cases.push_back({"journal-get-" + name, V::get, kActions + "/" + Percent(rid),
                     std::string(kService), "", "", 404, "itemNotFound"});
  }
  RunCases(port(), cases);

  // An uppercase UUID names the same instance: the journal stores the canonical lowercase form.
  auto put = Exchange(port(), MakeRequest(V::put, "/journal/v1/instances/" + upper, kService,
                                          R"({"instance": {"project_id": "projA"}})"));
  ASSERT_TRUE(put);
  ASSERT_EQ(put->result_int(), 201U) << put->body();
  EXPECT_EQ(boost::json::parse(put->body()).at("instance").at("uuid").as_string(),
            "11111111-2222-4333-8444-5555555555aa");
  auto again = Exchange(
      port(), MakeRequest(V::put, "/journal/v1/instances/11111111-2222-4333-8444-5555555555aa",
                          kService, R"({"instance": {"project_id": "projA"}})"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->result_int(), 200U) << again->body();
}

// Request ids are opaque strings: quotes, SQL and non-ASCII text are stored and read back byte
// for byte (parameterised statements), through the journal and Nova's show.
TEST_F(HostileTest, OpaqueRequestIdsRoundTrip) {
  const std::vector<std::string> ids = {
      "req-'; DROP TABLE instance_actions; --", "req-\" OR \"\"=\"", "req-%_\\",
      "req-\xc3\xbc\xf0\x9f\x98\x80", "req-<img src=x onerror=alert(1)>"};
  for (const std::string& rid : ids) {
    SCOPED_TRACE(rid);
    boost::json::value id_json = boost::json::string(rid);
    auto res = Exchange(port(), MakeRequest(V::post, kActions, kService,
                                            StartBody(boost::json::serialize(id_json))));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->result_int(), 201U) << res->body();
    auto show = Exchange(port(), MakeRequest(V::get, kIndex + "/" + Percent(rid), kOwner));
    ASSERT_TRUE(show);
    ASSERT_EQ(show->result_int(), 200U) << show->body();
    EXPECT_EQ(boost::json::parse(show->body()).at("instanceAction").at("request_id").as_string(),
              rid);
  }
  auto list = Exchange(port(), MakeRequest(V::get, kIndex, kOwner));
  ASSERT_TRUE(list);
  EXPECT_EQ(boost::json::parse(list->body()).at("instanceActions").as_array().size(),
            ids.size() + 1);
}

TEST_F(HostileTest, PathTraversalAndEncodedSeparators) {
  const std::string verify_marker = "entries_checked";
  std::vector<Case> cases = {
      NovaGet("dot-dot",
              "/v2.1/servers/../servers/" + std::string(kServer) + "/os-instance-actions", "", 404),
      NovaGet("encoded-dot-dot",
              "/v2.1/servers/%2e%2e/servers/" + std::string(kServer) + "/os-instance-actions", "",
              404),
      NovaGet("double-encoded", "/v2.1/servers/%252e%252e/os-instance-actions", "", 404),
      NovaGet("dot-dot-after-id", kIndex + "/../../" + std::string(kServer), "", 404),
      NovaGet("backslashes", "/v2.1/servers/..\\..\\" + std::string(kServer), "", 404,
              "itemNotFound"),
      NovaGet("dot-segment", "/v2.1/./servers/" + std::string(kServer), "", 404),
      NovaGet("encoded-slash-in-request-id", kIndex + "/..%2f..%2f" + std::string(kServer), "",
              404),
      NovaGet("double-slash", "/v2.1//servers/" + std::string(kServer), "", 404),
      // A decoded %2F is a path separator, as in Nova (PATH_INFO is decoded before routing).
      NovaGet("encoded-slash-as-separator", kNovaServer + "%2Fos-instance-actions", "", 200),
      {"journal-dot-dot-to-verify", V::get, kActions + "/..%2f..%2f..%2fverify",
       std::string(kService), "", "", 404, "itemNotFound"},
      {"journal-dot-dot", V::get, kInstance + "/../../verify", std::string(kService), "", "", 404,
       "itemNotFound"},
  };
  RunCases(port(), cases);
  for (const Case& c : cases) {
    auto res = Exchange(port(), MakeRequest(c.method, c.target, c.token));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body().find(verify_marker), std::string::npos) << c.name;
  }
}

TEST_F(HostileTest, SqlMetacharactersInQueries) {
  // Listing by name is a substring match, not SQL LIKE: '%' and '_' match only themselves.
  RunCases(port(),
           {
               NovaGet("servers-name-percent", "/v2.1/servers?name=%25", "", 200),
               NovaGet("servers-name-underscore", "/v2.1/servers?name=_", "", 200),
               NovaGet("servers-name-sql", "/v2.1/servers?name=" + Percent("' OR 1=1 --"), "", 200),
               NovaGet("changes-since-sql",
                       kIndex + "?changes-since=" + Percent("2026-01-01' OR 1=1 --"), "2.58", 400,
                       "badRequest"),
               NovaGet("limit-sql", kIndex + "?limit=" + Percent("1; DELETE FROM x"), "2.58", 400,
                       "badRequest"),
           });
  for (const std::string& name : std::vector<std::string>{"%25", "_", Percent("' OR 1=1 --")}) {
    auto res = Exchange(port(), MakeRequest(V::get, "/v2.1/servers?name=" + name, kAdmin));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), R"({"servers": []})") << name;
  }
}

TEST_F(HostileTest, BadTimestampsAndTimezones) {
  std::vector<Case> cases;
  const std::vector<std::string> bad = {
      "",
      "yesterday",
      "2026-13-01",
      "2026-00-10",
      "2026-02-29",
      "2026-04-31",
      "2026-01-01T24:00:00",
      "2026-01-01T23:60:00",
      "2026-01-01T23:59:60",
      "2026-01-01T00:00:00+24:00",
      "2026-01-01T00:00:00+99:99",
      "2026-01-01T00:00:00Z+01:00",
      "2026-01-01T00:00:00 UTC",
      "2026-01-01T00:00:00EST",
      "0000-01-01",
      "10000-01-01",
      "-2026-01-01",
      "9999-12-31T23:59:59-01:00",
      "0001-01-01T00:00:00+01:00",
      "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-01-01",
      "\xd9\xa2\xd9\xa0\xd9\xa2\xd9\xa6-01-01",
      "2026-01-01\0"s,
      "2026-01-01T00:00:00." + std::string(100, '1'),
      std::string(1000, '2'),
  };
  for (const std::string& t : bad) {
    boost::json::value json = boost::json::string(t);
    cases.push_back(Start(
        "start_time '" + t.substr(0, 40) + "'",
        StartBody(Quoted("req-time"), R"("start_time": )" + boost::json::serialize(json)), 400));
    if (!t.empty()) {
      cases.push_back(NovaGet("changes-since '" + t.substr(0, 40) + "'",
                              kIndex + "?changes-since=" + Percent(t), "2.66", 400, "badRequest"));
      cases.push_back(NovaGet("changes-before '" + t.substr(0, 40) + "'",
                              kIndex + "?changes-before=" + Percent(t), "2.66", 400, "badRequest"));
    }
  }
  const std::vector<std::string> good = {
      "2024-02-29",
      "2026-01-01T00:00:00+23:59",
      "2026-01-01T00:00:00-23:59",
      "20260101T000000Z",
      "2026-01-01 00:00:00",
      "2026-01-01T00:00:00,5",
      "2026-01-01T00:00:00.1234567891",
      "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999999Z",
  };
  int n = 0;
  for (const std::string& t : good) {
    boost::json::value json = boost::json::string(t);
    cases.push_back(Start("start_time '" + t + "'",
                          StartBody(Quoted("req-good-time-" + std::to_string(n++)),
                                    R"("start_time": )" + boost::json::serialize(json)),
                          201, ""));
    cases.push_back(
        NovaGet("changes-since '" + t + "'", kIndex + "?changes-since=" + Percent(t), "2.66", 200));
  }
  RunCases(port(), cases);
}

TEST_F(HostileTest, BadMicroversionsOverTheWire) {
  RunCases(port(),
           {
               NovaGet("negative", kIndex, "-2.5", 400, "badRequest"),
               NovaGet("trailing-letters", kIndex, "2.5x", 400, "badRequest"),
               NovaGet("fullwidth-digits", kIndex, "\xef\xbc\x92.\xef\xbc\x95\xef\xbc\x98", 400,
                       "badRequest"),
               NovaGet("arabic-indic-digits", kIndex, "2.\xd9\xa5\xd9\xa8", 400, "badRequest"),
               NovaGet("three-thousand-digit-minor", kIndex, "2." + std::string(3000, '9'), 406,
                       "computeFault"),
               NovaGet("major-overflow", kIndex, std::string(40, '9') + ".1", 406, "computeFault"),
               NovaGet("zero", kIndex, "0.0", 400, "badRequest"),
           });
}

TEST_F(HostileTest, BadQueryParameters) {
  RunCases(
      port(),
      {
          NovaGet("limit-negative-zero", kIndex + "?limit=-0", "2.58", 400, "badRequest"),
          NovaGet("limit-plus", kIndex + "?limit=%2B1", "2.58", 400, "badRequest"),
          NovaGet("limit-exponent", kIndex + "?limit=1e3", "2.58", 400, "badRequest"),
          NovaGet("limit-hex", kIndex + "?limit=0x10", "2.58", 400, "badRequest"),
          NovaGet("limit-arabic-indic", kIndex + "?limit=%D9%A1", "2.58", 400, "badRequest"),
          NovaGet("limit-nul", kIndex + "?limit=%00", "2.58", 400, "badRequest"),
          NovaGet("limit-key-only", kIndex + "?limit", "2.58", 400, "badRequest"),
          NovaGet("limit-1000-digits", kIndex + "?limit=" + std::string(1000, '9'), "2.58", 200),
          NovaGet("limit-zero", kIndex + "?limit=0", "2.58", 200),
          NovaGet("duplicate-marker", kIndex + "?marker=a&marker=b", "2.58", 400, "badRequest"),
          NovaGet("duplicate-changes-since",
                  kIndex + "?changes-since=2026-01-01&changes-since=2026-01-02", "2.58", 400,
                  "badRequest"),
          NovaGet("empty-key", kIndex + "?=x", "2.58", 400, "badRequest"),
          NovaGet("unknown-key", kIndex + "?sort_key=id", "2.58", 400, "badRequest"),
          NovaGet("changes-before-before-2.66", kIndex + "?changes-before=2026-01-01", "2.65", 400,
                  "badRequest"),
          NovaGet("window-inverted", kIndex + "?changes-since=2026-01-02&changes-before=2026-01-01",
                  "2.66", 400, "badRequest"),
          NovaGet("not-utf8-key", kIndex + "?%FF=1", "2.58", 400, "badRequest"),
          NovaGet("empty-pairs", kIndex + "?&&&", "2.58", 200),
          NovaGet("ignored-before-2.58", kIndex + "?limit=-1&foo=bar&marker=x", "2.57", 200),
          NovaGet("query-on-show-ignored",
                  kIndex + "/" + std::string(kRequestId) + "?limit=-1&foo=bar", "2.84", 200),
      });
}

// Duplicate object keys: the last one wins, as with Python's json module (what Nova's own
// services would send is parsed the same way on both sides).
TEST_F(HostileTest, DuplicateJsonKeysLastOneWins) {
  auto res = Exchange(
      port(), MakeRequest(V::post, kActions, kService,
                          R"({"action": {"request_id": "req-dup-first", "action": "reboot",)"
                          R"( "user_id": "alice", "project_id": "projA",)"
                          R"( "request_id": "req-dup-last"}})"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->result_int(), 201U) << res->body();
  EXPECT_EQ(boost::json::parse(res->body()).at("action").at("request_id").as_string(),
            "req-dup-last");
  res = Exchange(port(), MakeRequest(V::get, kActions + "/req-dup-first", kService));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 404U);
}

TEST_F(HostileTest, ThousandsOfUnknownQueryKeys) {
  std::string query;
  for (int i = 0; i < 250; ++i) {
    query += (i == 0 ? "?" : "&") + std::string("k") + std::to_string(i) + "=v";
  }
  const auto start = std::chrono::steady_clock::now();
  auto res = Exchange(port(), MakeRequest(V::get, kIndex + query, kOwner, {}, "2.58"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400U);
  EXPECT_NE(res->body().find("'k249' were unexpected"), std::string::npos) << res->body();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(HostileTest, ContentTypesAndHostHeader) {
  auto req = MakeRequest(V::post, kActions, kService, StartBody(Quoted("req-ct-1")));
  req.set(bhttp::field::content_type, "text/plain");
  auto res = Exchange(port(), req);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 415U);
  req = MakeRequest(V::post, kActions, kService, StartBody(Quoted("req-ct-2")));
  req.set(bhttp::field::content_type, "Application/JSON; charset=utf-8");
  res = Exchange(port(), req);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 201U) << "media types are case-insensitive: " << res->body();
  // The Host header only ever lands in JSON strings, escaped.
  req = MakeRequest(V::get, "/v2.1");
  req.set(bhttp::field::host, R"(evil"}, "x": {"<script>)");
  res = Exchange(port(), req);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200U);
  boost::system::error_code ec;
  boost::json::parse(res->body(), ec);
  EXPECT_FALSE(ec) << res->body();
}

}  // namespace
}  // namespace actionlog::reliability
