#include "cli_support.hpp"

#include <cstdio>
#include <filesystem>
#include <utility>

#include "actionlog/store/open_store.hpp"

namespace actionlog::cli {

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return kExitOk;
    case ErrorCode::kNotFound:
      return kExitNotFound;
    case ErrorCode::kConflict:
    case ErrorCode::kFailedPrecondition:
      return kExitConflict;
    case ErrorCode::kInvalidArgument:
      return kExitInvalid;
    case ErrorCode::kDataLoss:
      return kExitDataLoss;
    case ErrorCode::kUnavailable:
      return kExitUnavailable;
    case ErrorCode::kUnsupported:
      return kExitUnsupported;
    case ErrorCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

int ReportError(const Error& error) {
  const std::string_view name = ErrorCodeName(error.code);
  std::fprintf(stderr, "actionlog: error: %.*s: %s\n", static_cast<int>(name.size()), name.data(),
               error.message.c_str());
  return ExitCodeFor(error.code);
}

std::string DefaultDbUrl() {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::current_path(ec);
  if (ec) {
    dir = ".";
  }
  return "sqlite://" + (dir / "actionlog.db").string();
}

store::StoreOptions MakeStoreOptions(const GlobalOptions& global) {
  store::StoreOptions options;
  options.url = global.db_url.empty() ? DefaultDbUrl() : global.db_url;
  options.durability =
      global.relaxed_durability ? store::Durability::kNormal : store::Durability::kFull;
  return options;
}

Result<std::unique_ptr<Journal>> OpenJournal(const GlobalOptions& global) {
  ACTIONLOG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store,
                             store::OpenStore(MakeStoreOptions(global)));
  return std::make_unique<Journal>(std::shared_ptr<store::Store>(std::move(store)));
}

Actor MakeActor(const GlobalOptions& global, std::string service) {
  return Actor{global.user_id, global.project_id, std::move(service)};
}

Result<std::optional<Timestamp>> ParseTimeOption(const std::string& text, std::string_view option) {
  if (text.empty()) {
    return std::optional<Timestamp>();
  }
  Result<Timestamp> parsed = ParseIso8601(text);
  if (!parsed) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(option) + ": " + parsed.error().message);
  }
  return std::optional<Timestamp>(*parsed);
}

void RunCommand(int& exit_code, const std::function<Result<int>()>& body) {
  Result<int> result = body();
  exit_code = result ? *result : ReportError(result.error());
}

}  // namespace actionlog::cli
