// Helpers for the reliability tests: the real HTTP server in-process on 127.0.0.1 port 0 over a
// given Journal, and a keep-alive HTTP client with JSON helpers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/value.hpp>

#include "actionlog/core/journal.hpp"
#include "http/config.hpp"
#include "http/http_types.hpp"
#include "http/server.hpp"

namespace actionlog::reliability {

inline constexpr std::string_view kServiceToken = "nova:service:service";
inline constexpr std::string_view kAdminToken = "root:adminproj:admin,member,reader";

// Create → Start → Run on its own thread; Stop() (or the destructor) stops and joins.
class LiveServer {
 public:
  LiveServer(std::shared_ptr<Journal> journal, http::ServerConfig config);
  ~LiveServer();
  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;

  bool ok() const { return server_ != nullptr; }

  std::uint16_t port() const { return server_->Port(); }

  void Stop();

 private:
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

struct Reply {
  unsigned status = 0;  // 0: no response (connection failed)
  std::string body;
  boost::json::value json;  // null when the body is not JSON
};

// One keep-alive connection; reconnects when the server closed it. Not thread-safe: one per
// thread.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);

  Reply Call(http::bhttp::verb method, const std::string& target, std::string_view token,
             const std::string& body = {});

 private:
  bool Connect();

  std::uint16_t port_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::ip::tcp::socket> socket_;
  boost::beast::flat_buffer buffer_;
};

// The JSON object at `path` ("action", "event", ...), or an empty object.
const boost::json::object& Member(const boost::json::value& v, std::string_view key);
// The string at key, "" when absent or not a string.
std::string Str(const boost::json::object& o, std::string_view key);
std::int64_t Int(const boost::json::object& o, std::string_view key);

// True when `reply` is an OpenStack fault envelope {"<fault>": {"code": status, "message": ...}}.
bool IsFault(const Reply& reply, std::string_view fault, unsigned status);
std::string FaultMessage(const Reply& reply);

// The whole change log, checked: every row's entries carry versions 1, 2, 3, ... in order (no
// lost update, no duplicate entry); kDataLoss naming the first bad entry otherwise.
Result<std::vector<ChangeEntry>> ReadCheckedChangeLog(Journal& journal);

// The operations logged for the rows of one entity kind ("instance", "action", "event") whose
// instance_uuid, request_id and event match (an empty request_id / event matches any).
std::vector<std::string> OperationsFor(const std::vector<ChangeEntry>& log, std::string_view entity,
                                       std::string_view instance_uuid,
                                       std::string_view request_id = {},
                                       std::string_view event = {});

// Journal::Verify, as a Status (kDataLoss with the problem when it fails).
Status VerifyJournal(Journal& journal);

// A random canonical UUID and a "req-<uuid>" request id.
std::string RandomUuid();
std::string RandomRequestId();

}  // namespace actionlog::reliability
