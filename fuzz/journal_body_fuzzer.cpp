// Fuzzes the JSON bodies of the /journal/v1 write API: body parsing, envelopes, allowed keys,
// types, times and the journal's validation, through Service::Handle with the service identity
// on a small seeded journal in memory.
//
// Input: up to 8 requests separated by a line "---". The first byte of each names the endpoint
// (its value modulo the number of endpoints, see kEndpoints: 'a' is PUT instance, 'b' start
// action, ...), the rest is the body sent as application/json.
// Properties: every answer is 2xx or 4xx with a JSON object body; a success names its record
// under the expected key; an identical replay of a successful idempotent write answers 200; the
// journal verifies after the sequence.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "fuzz_support.hpp"
#include "http/auth.hpp"
#include "http/service.hpp"

namespace actionlog::fuzz {
namespace {

namespace bhttp = http::bhttp;

const std::string kA = "/journal/v1/instances/" + std::string(kServerA);
const std::string kActionA = kA + "/actions/" + std::string(kRequestA);
const std::string kNewServer = "/journal/v1/instances/33333333-4444-4555-8666-777777777777";
const std::string kNewAction = kA + "/actions/req-cccccccc-dddd-4eee-8fff-000000000000";

struct Endpoint {
  bhttp::verb method;
  std::string target;
  std::string_view envelope;  // the key of the record in a success body
  bool idempotent;            // an identical replay of a success answers 200
};

const std::array<Endpoint, 10> kEndpoints = {{
    {bhttp::verb::put, kNewServer, "instance", true},                         // a
    {bhttp::verb::post, kA + "/actions", "action", true},                     // b
    {bhttp::verb::put, kNewAction, "action", true},                           // c
    {bhttp::verb::put, kActionA, "action", true},                             // d
    {bhttp::verb::post, kActionA + "/finish", "action", false},               // e
    {bhttp::verb::post, kActionA + "/events", "event", false},                // f
    {bhttp::verb::post, kActionA + "/events/compute_reboot_instance/finish",  // g
     "event", true},
    {bhttp::verb::post, kActionA + "/events/compute_resize/finish", "event", true},  // h
    {bhttp::verb::put, kA, "instance", true},                                        // i
    {bhttp::verb::post, kNewAction + "/events", "event", false},                     // j
}};

struct World {
  std::shared_ptr<const http::Authenticator> auth;
};

const World& TheWorld() {
  static const World* world = [] {
    auto* w = new World;
    auto auth = http::Authenticator::Create(http::AuthMode::kNoAuth, {}, "");
    Check(static_cast<bool>(auth), "noauth authenticator");
    w->auth = std::shared_ptr<const http::Authenticator>(std::move(*auth));
    return w;
  }();
  return *world;
}

http::Response Call(const http::Service& service, const Endpoint& ep, std::string_view body) {
  http::Request req{ep.method, ep.target, 11};
  req.set(bhttp::field::host, "api.example:8774");
  req.set("X-Auth-Token", kServiceToken);
  req.set(bhttp::field::content_type, "application/json");
  req.body() = std::string(body);
  req.prepare_payload();
  http::AccessInfo access;
  return service.Handle(req, http::ClientInfo{"127.0.0.1"}, access);
}

void CheckSuccessBody(const http::Response& res, const Endpoint& ep, std::string_view context) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(res.body(), ec);
  const boost::json::object* obj = ec ? nullptr : v.if_object();
  const boost::json::value* record = obj == nullptr ? nullptr : obj->if_contains(ep.envelope);
  if (record == nullptr || !record->is_object()) {
    Fail("success without its record under '" + std::string(ep.envelope) + "'",
         std::string(context) + "\n" + res.body());
  }
}

}  // namespace
}  // namespace actionlog::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace actionlog;        // NOLINT(google-build-using-namespace)
  using namespace actionlog::fuzz;  // NOLINT(google-build-using-namespace)
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.empty()) {
    return -1;
  }
  auto journal = NewMemoryJournal();
  SeedJournal(*journal, false);
  const http::Service service(journal, TheWorld().auth,
                              http::ServiceOptions{1000, "", "api.example:8774"});
  constexpr std::string_view kSeparator = "\n---\n";
  for (int i = 0; i < 8 && !input.empty(); ++i) {
    const std::size_t cut = input.find(kSeparator);
    std::string_view one = input.substr(0, cut);
    input.remove_prefix(cut == std::string_view::npos ? input.size() : cut + kSeparator.size());
    if (one.empty()) {
      continue;
    }
    const Endpoint& ep = kEndpoints.at(static_cast<unsigned char>(one.front()) % kEndpoints.size());
    const std::string_view body = one.substr(1);
    const http::Response res = Call(service, ep, body);
    CheckResponse(res, false, one);
    if (res.result_int() / 100 != 2) {
      continue;
    }
    CheckSuccessBody(res, ep, one);
    if (ep.idempotent) {
      const http::Response again = Call(service, ep, body);
      if (again.result_int() != 200) {
        Fail("identical replay of a success did not answer 200",
             std::string(one) + "\nfirst: " + res.body() + "\nreplay: " + again.body());
      }
    }
  }
  auto report = journal->Verify();
  Check(report && report->ok, "verify after the requests", report ? report->problem : "");
  return 0;
}
