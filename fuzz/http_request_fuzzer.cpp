// Fuzzes the HTTP request path: routing, authentication, microversion negotiation and the Nova
// query validation, through Service::Handle over a seeded journal in memory, and the
// microversion and query-string parsers directly.
//
// Input: a request in the text form of fuzz_support.hpp (method, target, headers, body).
// Properties: the service answers every request with 2xx-4xx (never 5xx), a JSON body whenever it
// says JSON, the request-id headers, and never shows project A's host or traceback to an
// identity that is neither in project A nor admin. A negotiated microversion is within
// 2.1..2.93; a parsed index query has 0 <= limit <= max_limit.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "http/auth.hpp"
#include "http/microversion.hpp"
#include "http/nova_query.hpp"
#include "http/python_compat.hpp"
#include "http/service.hpp"
#include "http/utf8.hpp"

namespace actionlog::fuzz {
namespace {

constexpr std::int64_t kMaxLimit = 5;

struct World {
  std::shared_ptr<const http::Authenticator> auth;
  std::shared_ptr<Journal> seeded;  // never written to: reads only
  std::unique_ptr<http::Service> reads;
};

World& TheWorld() {
  static World* world = [] {
    auto* w = new World;
    auto auth = http::Authenticator::Create(http::AuthMode::kNoAuth, {}, "");
    Check(static_cast<bool>(auth), "noauth authenticator");
    w->auth = std::shared_ptr<const http::Authenticator>(std::move(*auth));
    w->seeded = NewMemoryJournal();
    SeedJournal(*w->seeded);
    w->reads = std::make_unique<http::Service>(
        w->seeded, w->auth, http::ServiceOptions{kMaxLimit, "", "api.example:8774"});
    return w;
  }();
  return *world;
}

std::vector<std::string_view> HeaderLines(const http::Request& req, std::string_view name) {
  std::vector<std::string_view> lines;
  auto range = req.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) {
    lines.emplace_back(it->value());
  }
  return lines;
}

std::string_view HeaderValue(const http::Request& req, std::string_view name) {
  const auto it = req.find(name);
  return it == req.end() ? std::string_view() : std::string_view(it->value());
}

void CheckParsers(const http::Request& req) {
  const http::NegotiatedVersion nv = http::NegotiateVersion(
      HeaderLines(req, "OpenStack-API-Version"), HeaderLines(req, "X-OpenStack-Nova-API-Version"));
  if (nv.outcome == http::VersionOutcome::kOk) {
    Check(nv.version >= http::kMinApiVersion && nv.version <= http::kMaxApiVersion,
          "negotiated version out of range", nv.echo);
    Check(!nv.echo.empty(), "negotiated version without echo");
  } else {
    Check(!nv.message.empty(), "version fault without message");
  }
  const std::string_view target = req.target();
  const std::size_t qmark = target.find('?');
  if (qmark == std::string_view::npos) {
    return;
  }
  bool utf8_ok = true;
  const std::vector<http::QueryParam> params =
      http::ParseQueryString(target.substr(qmark + 1), utf8_ok);
  for (const http::ApiVersion version : {http::ApiVersion{2, 58}, http::ApiVersion{2, 66}}) {
    auto query = http::ParseIndexQuery(params, utf8_ok, version, kMaxLimit);
    if (!query) {
      Check(query.error().code == ErrorCode::kInvalidArgument, "query error code",
            query.error().message);
      continue;
    }
    Check(query->limit >= 0 && query->limit <= kMaxLimit, "limit out of range");
    Check(version.AtLeast(66) || !query->changes_before, "changes-before before 2.66");
    (void)http::CheckTimeWindow(*query);
    if (utf8_ok) {
      const std::string link =
          http::BuildNextLink("http://api.example:8774/v2.1", "server", params, "marker");
      for (const char c : link) {
        const auto b = static_cast<unsigned char>(c);
        Check(b > 0x20 && b < 0x7f, "next link is not printable ASCII", link);
      }
    }
  }
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace
}  // namespace actionlog::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace actionlog;        // NOLINT(google-build-using-namespace)
  using namespace actionlog::fuzz;  // NOLINT(google-build-using-namespace)
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::optional<http::Request> req = ParseRequestText(input);
  if (!req) {
    return -1;  // not something the HTTP parser would hand over: keep it out of the corpus
  }
  World& world = TheWorld();
  CheckParsers(*req);

  // Reads go to the shared seeded journal; anything that may write gets a fresh seeded copy.
  std::shared_ptr<Journal> journal = world.seeded;
  const http::Service* service = world.reads.get();
  std::unique_ptr<http::Service> writer;
  if (http::Service::IsWrite(*req)) {
    journal = NewMemoryJournal();
    SeedJournal(*journal);
    writer = std::make_unique<http::Service>(
        journal, world.auth, http::ServiceOptions{kMaxLimit, "", "api.example:8774"});
    service = writer.get();
  }
  http::AccessInfo access;
  const http::Response res = service->Handle(*req, http::ClientInfo{"127.0.0.1"}, access);
  CheckResponse(res, false, input);

  const bool versions_root = res.find("x-openstack-request-id") == res.end();
  if (!versions_root) {
    Check(
        res["x-openstack-request-id"] == access.request_id && access.request_id.starts_with("req-"),
        "request id header");
  }

  // Isolation: project A's host and traceback only for project A or an admin.
  http::Credentials creds;
  creds.auth_token = HeaderValue(*req, "X-Auth-Token");
  const std::optional<http::Identity> who = world.auth->Authenticate(creds);
  const bool may_see_a =
      who && (who->project_id == kProjectA || who->IsAdmin() || who->HasRole("service"));
  if (!may_see_a) {
    for (const std::string_view secret : {kSecretHost, kSecretTraceback}) {
      if (Contains(res.body(), secret) && !Contains(input, secret)) {
        Fail("project A's data shown to another identity", std::string(input) + "\n" + res.body());
      }
    }
  }
  if (journal != world.seeded) {
    auto report = journal->Verify();
    Check(report && report->ok, "verify after a request", report ? report->problem : "");
  }
  return 0;
}
