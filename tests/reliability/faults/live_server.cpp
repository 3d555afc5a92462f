#include "live_server.hpp"

#include <cstdio>
#include <map>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

namespace actionlog::reliability {

namespace net = boost::asio;
using tcp = net::ip::tcp;

LiveServer::LiveServer(std::shared_ptr<Journal> journal, http::ServerConfig config) {
  config.listen_host = "127.0.0.1";
  config.listen_port = 0;
  config.access_log = "";
  auto server = http::Server::Create(std::move(journal), config);
  if (!server) {
    std::fprintf(stderr, "cannot create the server: %s\n", server.error().message.c_str());
    return;
  }
  if (!(*server)->Start()) {
    std::fprintf(stderr, "cannot start the server\n");
    return;
  }
  server_ = std::move(*server);
  thread_ = std::thread([this] { server_->Run(false); });
}

LiveServer::~LiveServer() { Stop(); }

void LiveServer::Stop() {
  if (thread_.joinable()) {
    server_->Stop();
    thread_.join();
  }
}

HttpClient::HttpClient(std::uint16_t port) : port_(port) {}

bool HttpClient::Connect() {
  socket_.emplace(ioc_);
  boost::system::error_code ec;
  socket_->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
  buffer_.clear();
  if (ec) {
    socket_.reset();
    return false;
  }
  return true;
}

Reply HttpClient::Call(http::bhttp::verb method, const std::string& target, std::string_view token,
                       const std::string& body) {
  http::Request req{method, target, 11};
  req.set(http::bhttp::field::host, "127.0.0.1");
  if (!token.empty()) {
    req.set("X-Auth-Token", token);
  }
  if (!body.empty()) {
    req.set(http::bhttp::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  Reply reply;
  // A keep-alive connection the server has closed fails on first use: then retry once on a
  // fresh one. A fresh connection that fails is not retried (the request may have been applied).
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = socket_.has_value();
    if (!reused && !Connect()) {
      return reply;
    }
    boost::system::error_code ec;
    http::bhttp::write(*socket_, req, ec);
    http::Response res;
    if (!ec) {
      http::bhttp::read(*socket_, buffer_, res, ec);
    }
    if (ec) {
      socket_.reset();
      if (!reused) {
        return reply;
      }
      continue;
    }
    if (!res.keep_alive()) {
      socket_.reset();
    }
    reply.status = res.result_int();
    reply.body = std::move(res.body());
    boost::system::error_code parse_ec;
    reply.json = boost::json::parse(reply.body, parse_ec);
    if (parse_ec) {
      reply.json = nullptr;
    }
    return reply;
  }
  return reply;
}

const boost::json::object& Member(const boost::json::value& v, std::string_view key) {
  static const boost::json::object kEmpty;
  if (const auto* o = v.if_object()) {
    if (const auto* m = o->if_contains(key)) {
      if (const auto* mo = m->if_object()) {
        return *mo;
      }
    }
  }
  return kEmpty;
}

std::string Str(const boost::json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key)) {
    if (const auto* s = v->if_string()) {
      return std::string(*s);
    }
  }
  return {};
}

std::int64_t Int(const boost::json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key)) {
    if (const auto* i = v->if_int64()) {
      return *i;
    }
  }
  return -1;
}

bool IsFault(const Reply& reply, std::string_view fault, unsigned status) {
  const auto* o = reply.json.if_object();
  if (reply.status != status || o == nullptr || o->size() != 1) {
    return false;
  }
  const boost::json::object& inner = Member(reply.json, fault);
  return inner.size() == 2 && Int(inner, "code") == static_cast<std::int64_t>(status) &&
         inner.contains("message") && inner.at("message").is_string();
}

std::string FaultMessage(const Reply& reply) {
  if (const auto* o = reply.json.if_object()) {
    for (const auto& kv : *o) {
      return Str(Member(reply.json, kv.key()), "message");
    }
  }
  return {};
}

std::string RandomUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t hi = rng();
  const std::uint64_t lo = rng();
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xfff),
                static_cast<unsigned>(lo >> 52),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

Result<std::vector<ChangeEntry>> ReadCheckedChangeLog(Journal& journal) {
  std::vector<ChangeEntry> log;
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> last_version;
  for (;;) {
    std::vector<ChangeEntry> page;
    const std::int64_t after = log.empty() ? 0 : log.back().seq;
    ACTIONLOG_RETURN_IF_ERROR(journal.store().Read([&](store::ReadTransaction& tx) -> Status {
      ACTIONLOG_ASSIGN_OR_RETURN(page, tx.ReadChanges(after, 1000));
      return OkStatus();
    }));
    if (page.empty()) {
      return log;
    }
    for (ChangeEntry& e : page) {
      // Every row's versions follow each other, whether an entry logs the row itself or, for an
      // event write that also changed its action, the action's image (parent_row).
      std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> rows = {
          {e.entity, e.entity_id, e.entity_version}};
      if (!e.parent_row.empty()) {
        boost::system::error_code ec;
        const boost::json::value parent = boost::json::parse(e.parent_row, ec);
        if (ec || !parent.is_object() || !parent.as_object().contains("id") ||
            !parent.as_object().contains("version")) {
          return MakeError(
              ErrorCode::kDataLoss,
              "change " + std::to_string(e.seq) + " has a malformed parent_row: " + e.parent_row);
        }
        rows.emplace_back("action", parent.at("id").to_number<std::int64_t>(),
                          parent.at("version").to_number<std::int64_t>());
      }
      for (const auto& [entity, id, version] : rows) {
        std::int64_t& last = last_version[std::make_pair(entity, id)];
        if (version != last + 1) {
          return MakeError(ErrorCode::kDataLoss,
                           "change " + std::to_string(e.seq) + " (" + e.operation + ") logs " +
                               entity + " " + std::to_string(id) + " version " +
                               std::to_string(version) + " after version " + std::to_string(last));
        }
        last = version;
      }
      log.push_back(std::move(e));
    }
  }
}

std::vector<std::string> OperationsFor(const std::vector<ChangeEntry>& log, std::string_view entity,
                                       std::string_view instance_uuid, std::string_view request_id,
                                       std::string_view event) {
  std::vector<std::string> ops;
  for (const ChangeEntry& e : log) {
    if (e.entity == entity && e.instance_uuid == instance_uuid &&
        (request_id.empty() || e.request_id == request_id) && (event.empty() || e.event == event)) {
      ops.push_back(e.operation);
    }
  }
  return ops;
}

Status VerifyJournal(Journal& journal) {
  ACTIONLOG_ASSIGN_OR_RETURN(const VerifyReport report, journal.Verify());
  if (!report.ok) {
    return MakeError(ErrorCode::kDataLoss, "verify failed at change " +
                                               std::to_string(report.first_bad_seq.value_or(-1)) +
                                               ": " + report.problem);
  }
  return OkStatus();
}

std::string RandomRequestId() { return "req-" + RandomUuid(); }

}  // namespace actionlog::reliability
