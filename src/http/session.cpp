#include "http/session.hpp"

#include <array>
#include <ctime>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "http/json_writer.hpp"
#include "http/responses.hpp"

namespace actionlog::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;

constexpr std::size_t kLingerBytes = std::size_t{1} << 20;  // input discarded after an error reply
constexpr std::size_t kDrainChunk = 16384;

// The HTTP Date header, formatted once per second per thread.
const std::string& HttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::array<char, 64> buf{};
    const std::size_t n = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached.assign(buf.data(), n);
    cached_second = now;
  }
  return cached;
}

Response PlainError(unsigned status, std::string_view message) {
  Response res;
  res.result(status);
  res.set(bhttp::field::content_type, "text/plain; charset=UTF-8");
  res.body() = std::string(message);
  return res;
}

}  // namespace

Session::Session(net::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state,
                 std::uint64_t id)
    : stream_(std::move(socket)), state_(std::move(state)), id_(id) {
  beast::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    peer_ = endpoint.address().to_string();
  }
  state_->connections.fetch_add(1, std::memory_order_relaxed);
}

Session::~Session() {
  state_->connections.fetch_sub(1, std::memory_order_relaxed);
  const std::lock_guard<std::mutex> lock(state_->mutex);
  state_->sessions.erase(id_);
}

void Session::Start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
}

void Session::Shutdown() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    if (!self->busy_) {
      self->Close();
    }
  });
}

void Session::DoRead() {
  // The server's stop flag too: a connection accepted while Stop() ran may have missed its
  // Shutdown(); it must not wait for a request that will never be served.
  if (stopping_ || closed_ || state_->stopping.load()) {
    Close();
    return;
  }
  const ServerConfig& cfg = state_->config;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(cfg.max_header_bytes + cfg.max_url_bytes));
  parser_->body_limit(cfg.max_body_bytes);
  stream_.expires_after(first_request_ ? cfg.request_timeout : cfg.idle_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  if (closed_) {
    // Shutdown closed the idle connection while this read was completing: the request can get
    // no answer any more, so it must not run (a graceful stop never applies an unanswered write).
    return;
  }
  if (!ec) {
    busy_ = true;
    started_ = std::chrono::steady_clock::now();
    const Request& req = parser_->get();
    method_ = std::string(req.method_string());
    target_ = std::string(req.target());
    if (req.target().size() > state_->config.max_url_bytes) {
      ReplyError(414, "Request-URI Too Long");
      return;
    }
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, req.version()};
      bhttp::write(stream_, cont, ec);
      if (ec) {
        Close();
        return;
      }
    }
    stream_.expires_after(state_->config.request_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code e, std::size_t) { self->OnRead(e); });
    return;
  }
  OnRead(ec);
}

void Session::OnRead(beast::error_code ec) {
  if (closed_) {
    return;  // closed meanwhile (see OnHeader): nothing may run without a way to answer
  }
  if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
      ec == beast::error::timeout || ec == net::error::eof || ec == net::error::connection_reset) {
    Close();
    return;
  }
  if (ec == bhttp::error::header_limit) {
    ReplyError(431, "Request Header Fields Too Large");
    return;
  }
  if (ec == bhttp::error::body_limit) {
    ReplyError(413, "Request Entity Too Large");
    return;
  }
  if (ec) {
    ReplyError(400, "Bad Request");
    return;
  }
  Process();
}

void Session::Process() {
  busy_ = true;
  auto req = std::make_shared<Request>(parser_->release());
  if (!Service::IsWrite(*req)) {
    Response res;
    try {
      res = state_->service->Handle(*req, ClientInfo{peer_}, access_);
    } catch (const std::exception& e) {
      spdlog::error("request {} failed: {}", access_.request_id, e.what());
      res = FaultResponse(500, "Unexpected API Error.");
    }
    res.version(req->version());
    res.keep_alive(req->keep_alive());
    if (req->method() == bhttp::verb::head) {
      res.content_length(res.body().size());
      res.body().clear();
    }
    Reply(std::move(res));
    return;
  }
  net::post(state_->write_executor, [self = shared_from_this(), req,
                                     work = net::make_work_guard(stream_.get_executor())] {
    auto res = std::make_shared<Response>();
    try {
      *res = self->state_->service->Handle(*req, ClientInfo{self->peer_}, self->access_);
    } catch (const std::exception& e) {
      spdlog::error("request failed: {}", e.what());
      *res = FaultResponse(500, "Unexpected API Error.");
    }
    res->version(req->version());
    res->keep_alive(req->keep_alive());
    net::post(self->stream_.get_executor(), [self, res] { self->Reply(std::move(*res)); });
  });
}

void Session::Reply(Response res) {
  res.set(bhttp::field::date, HttpDate());
  if (!res.has_content_length()) {
    res.prepare_payload();
  }
  if (stopping_ || state_->stopping.load(std::memory_order_relaxed)) {
    res.keep_alive(false);
  }
  response_ = std::make_shared<Response>(std::move(res));
  const bool keep_alive = response_->keep_alive();
  stream_.expires_after(state_->config.request_timeout);
  bhttp::async_write(stream_, *response_,
                     [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t n) {
                       self->OnWrite(keep_alive, ec, n);
                     });
}

void Session::OnWrite(bool keep_alive, beast::error_code ec, std::size_t bytes) {
  LogAccess(bytes);
  busy_ = false;
  first_request_ = false;
  response_.reset();
  access_ = AccessInfo{};
  if (!ec && linger_ && !stopping_) {
    // Closing with unread input makes the kernel send a reset, which can destroy the error
    // response before the client reads it: stop sending, discard what still arrives (bounded in
    // bytes and by request_timeout), then close.
    beast::error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    stream_.expires_after(state_->config.request_timeout);
    Drain(kLingerBytes);
    return;
  }
  if (ec || !keep_alive || stopping_) {
    Close();
    return;
  }
  DoRead();
}

void Session::Drain(std::size_t budget) {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(kDrainChunk),
                          [self = shared_from_this(), budget](beast::error_code ec, std::size_t n) {
                            if (ec || n >= budget || self->stopping_) {
                              self->Close();
                              return;
                            }
                            self->Drain(budget - n);
                          });
}

void Session::ReplyError(unsigned status, std::string_view message) {
  Response res = PlainError(status, message);
  res.keep_alive(false);
  linger_ = true;
  Reply(std::move(res));
}

void Session::Close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  stream_.socket().close(ec);
}

void Session::LogAccess(std::size_t bytes) {
  if (!state_->access_log || method_.empty()) {
    return;
  }
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started_)
                          .count();
  std::string line;
  line.reserve(256);
  JsonWriter w(line);
  w.BeginObject();
  w.Field("request_id", access_.request_id);
  w.Field("remote", peer_);
  w.Field("method", method_);
  w.Field("target", target_);
  w.Field("status", static_cast<std::int64_t>(response_ ? response_->result_int() : 0));
  w.Field("bytes", static_cast<std::int64_t>(bytes));
  w.Field("duration_us", static_cast<std::int64_t>(micros));
  w.Field("user_id", access_.user_id);
  w.Field("project_id", access_.project_id);
  w.Field("microversion", access_.microversion);
  w.EndObject();
  state_->access_log->info(line);
  method_.clear();
}

}  // namespace actionlog::http
