// The ReadTransaction / WriteTransaction of the SQLite backend: domain operations as cached
// statements on one connection. The caller (SqliteStore) has already begun the SQLite
// transaction and ends it. Not thread-safe: used only inside one Read/Write callback.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "actionlog/store/store.hpp"
#include "store/sqlite/connection.hpp"

namespace actionlog::store::sqlite {

// On a reader connection only the ReadTransaction part works (writes fail: query_only).
class SqliteTransaction final : public WriteTransaction {
 public:
  explicit SqliteTransaction(Connection& conn) : conn_(conn) {}

  Result<std::optional<Instance>> GetInstance(std::string_view uuid) override;
  Result<std::optional<Action>> GetAction(std::string_view instance_uuid,
                                          std::string_view request_id) override;
  Result<std::vector<Action>> ListActions(const ActionPageQuery& query) override;
  Result<std::vector<Event>> ListEvents(std::int64_t action_id) override;
  Result<std::vector<ChangeEntry>> ReadChanges(std::int64_t after_seq, int limit) override;
  Result<ChainHead> GetChainHead() override;
  Result<std::optional<ChangeEntry>> LatestChangeFor(Entity entity, std::int64_t id) override;
  Result<std::optional<ChangeEntry>> LatestParentChangeFor(std::int64_t action_id) override;
  Result<std::int64_t> CountLoggedEntities(Entity entity) override;
  Result<std::vector<Instance>> ScanInstances(std::int64_t after_id, int limit) override;
  Result<std::vector<Action>> ScanActions(std::int64_t after_id, int limit) override;
  Result<std::vector<Event>> ScanEvents(std::int64_t after_id, int limit) override;

  Result<std::vector<Event>> FindEvents(std::int64_t action_id, std::string_view event) override;
  Status InsertInstance(Instance& row) override;
  Status InsertAction(Action& row) override;
  Status InsertEvent(Event& row) override;
  Status UpdateInstance(const Instance& row, std::int64_t expected_version) override;
  Status UpdateAction(const Action& row, std::int64_t expected_version) override;
  Status UpdateEvent(const Event& row, std::int64_t expected_version) override;
  Result<ChainHead> LockChainHead() override;
  Status AppendChange(const ChangeEntry& entry) override;

 private:
  // Appends one page of `query` (with the given marker kind, limit and marker id) to `out`.
  Status ListPage(const ActionPageQuery& query, Marker marker, std::int64_t limit,
                  std::int64_t after_id, std::vector<Action>& out);
  template <class Row>
  Status Insert(StmtId id, Row& row, std::string_view what);
  template <class Row>
  Status Update(StmtId id, const Row& row, std::int64_t expected_version, int version_param,
                std::string_view what);

  Connection& conn_;
};

}  // namespace actionlog::store::sqlite
