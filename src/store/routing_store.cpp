#include "store/routing_store.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace actionlog::store {
namespace {

class RoutingStore final : public Store {
 public:
  RoutingStore(std::unique_ptr<Store> primary, std::unique_ptr<Store> reads)
      : primary_(std::move(primary)), reads_(std::move(reads)) {}

  Status Read(const ReadFn& fn) override { return reads_->Read(fn); }

  Status ReadLatest(const ReadFn& fn) override { return primary_->Read(fn); }

  Status Write(const WriteFn& fn) override { return primary_->Write(fn); }

  Result<int> SchemaVersion() override { return primary_->SchemaVersion(); }

  Status Upgrade() override { return primary_->Upgrade(); }

  std::string_view Backend() const override { return primary_->Backend(); }

 private:
  std::unique_ptr<Store> primary_;
  std::unique_ptr<Store> reads_;
};

}  // namespace

Result<std::unique_ptr<Store>> MakeRoutingStore(std::unique_ptr<Store> primary,
                                                std::unique_ptr<Store> reads) {
  ACTIONLOG_ASSIGN_OR_RETURN(const int primary_version, primary->SchemaVersion());
  ACTIONLOG_ASSIGN_OR_RETURN(const int read_version, reads->SchemaVersion());
  if (primary_version != read_version) {
    return MakeError(ErrorCode::kUnsupported,
                     "the read database is at schema version " + std::to_string(read_version) +
                         " and the primary at " + std::to_string(primary_version) +
                         ": a replica must replay the primary's upgrades before it serves reads");
  }
  return std::unique_ptr<Store>(
      std::make_unique<RoutingStore>(std::move(primary), std::move(reads)));
}

}  // namespace actionlog::store
