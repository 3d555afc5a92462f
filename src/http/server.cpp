#include "http/server.hpp"

#include <csignal>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "http/listener.hpp"
#include "http/server_state.hpp"
#include "http/session.hpp"

namespace actionlog::http {

namespace net = boost::asio;

struct Server::Impl {
  explicit Impl(const ServerConfig& config)
      : ioc(config.io_threads),
        write_pool(static_cast<std::size_t>(config.write_threads)),
        signals(ioc) {}

  net::io_context ioc;
  net::thread_pool write_pool;
  net::signal_set signals;
  std::shared_ptr<ServerState> state;
  std::shared_ptr<Listener> listener;
  std::once_flag stop_once;
};

namespace {

Result<std::shared_ptr<spdlog::logger>> MakeAccessLog(const std::string& target) {
  if (target.empty()) {
    return std::shared_ptr<spdlog::logger>();
  }
  try {
    std::shared_ptr<spdlog::logger> logger;
    if (target == "-") {
      logger = std::make_shared<spdlog::logger>("access",
                                                std::make_shared<spdlog::sinks::stderr_sink_mt>());
    } else {
      logger = std::make_shared<spdlog::logger>(
          "access", std::make_shared<spdlog::sinks::basic_file_sink_mt>(target));
    }
    logger->set_pattern("%v");
    logger->flush_on(spdlog::level::info);
    return logger;
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot open access log '" + target + "': " + e.what());
  }
}

}  // namespace

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  try {
    Stop();
    impl_->write_pool.join();
  } catch (const std::exception& e) {
    spdlog::error("error while stopping the server: {}", e.what());
  }
}

Result<std::unique_ptr<Server>> Server::Create(std::shared_ptr<Journal> journal,
                                               const ServerConfig& config,
                                               std::shared_ptr<Journal> nova_reads) {
  ACTIONLOG_RETURN_IF_ERROR(ValidateConfig(config));
  ACTIONLOG_ASSIGN_OR_RETURN(
      std::unique_ptr<Authenticator> auth,
      Authenticator::Create(config.auth_mode, config.trusted_proxies, config.tokens_file));
  ACTIONLOG_ASSIGN_OR_RETURN(std::shared_ptr<spdlog::logger> access_log,
                             MakeAccessLog(config.access_log));
  // The I/O and write threads log errors to spdlog's default logger: create it here, before
  // they exist, rather than lazily from several of them at once.
  (void)spdlog::default_logger_raw();
  auto impl = std::make_unique<Impl>(config);
  auto state = std::make_shared<ServerState>();
  state->config = config;
  ServiceOptions options;
  options.max_limit = config.max_limit;
  options.compute_link_prefix = config.compute_link_prefix;
  options.default_host = config.listen_host + ":" + std::to_string(config.listen_port);
  state->service = std::make_shared<Service>(std::move(journal), std::move(auth), options,
                                             std::move(nova_reads));
  state->write_executor = impl->write_pool.get_executor();
  state->access_log = std::move(access_log);
  impl->state = state;
  impl->listener = std::make_shared<Listener>(impl->ioc, state);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::Start() {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(impl_->state->config.listen_host, ec);
  if (ec) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "listen address '" + impl_->state->config.listen_host + "' is not an IP address");
  }
  ACTIONLOG_RETURN_IF_ERROR(
      impl_->listener->Open(net::ip::tcp::endpoint(address, impl_->state->config.listen_port)));
  impl_->listener->Run();
  return OkStatus();
}

std::uint16_t Server::Port() const { return impl_->listener->LocalEndpoint().port(); }

std::string Server::Url() const {
  const auto endpoint = impl_->listener->LocalEndpoint();
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return "http://" + host + ":" + std::to_string(endpoint.port());
}

void Server::Run(bool handle_signals) {
  if (handle_signals) {
    impl_->signals.add(SIGINT);
    impl_->signals.add(SIGTERM);
    impl_->signals.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (!ec) {
        spdlog::info("signal {} received: shutting down", signal);
        Stop();
      }
    });
  }
  std::vector<std::thread> threads;
  const int extra = impl_->state->config.io_threads - 1;
  threads.reserve(static_cast<std::size_t>(extra));
  for (int i = 0; i < extra; ++i) {
    threads.emplace_back([this] { impl_->ioc.run(); });
  }
  impl_->ioc.run();
  for (std::thread& t : threads) {
    t.join();
  }
}

void Server::Stop() {
  std::call_once(impl_->stop_once, [this] {
    impl_->state->stopping.store(true);
    impl_->listener->Close();
    net::post(impl_->ioc, [this] {
      boost::system::error_code ec;
      impl_->signals.cancel(ec);
    });
    std::vector<std::shared_ptr<Session>> live;
    {
      const std::lock_guard<std::mutex> lock(impl_->state->mutex);
      for (auto& [id, weak] : impl_->state->sessions) {
        if (auto s = weak.lock()) {
          live.push_back(std::move(s));
        }
      }
    }
    for (auto& s : live) {
      s->Shutdown();
    }
  });
}

}  // namespace actionlog::http
