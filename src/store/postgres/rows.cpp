#include "store/postgres/rows.hpp"

namespace actionlog::store::postgres {

Params RowParams(const Instance& row) {
  Params params;
  params.AddInt(row.id);
  params.AddTime(row.created_at);
  params.AddTime(row.updated_at);
  params.AddTime(row.deleted_at);
  params.AddText(std::string_view(row.uuid));
  params.AddText(row.project_id);
  params.AddText(row.user_id);
  params.AddText(row.host);
  params.AddText(row.display_name);
  params.AddInt(row.deleted);
  params.AddInt(row.version);
  return params;
}

Params RowParams(const Action& row) {
  Params params;
  params.AddInt(row.id);
  params.AddTime(row.created_at);
  params.AddTime(row.updated_at);
  params.AddTime(row.deleted_at);
  params.AddText(row.action);
  params.AddText(std::string_view(row.instance_uuid));
  params.AddText(std::string_view(row.request_id));
  params.AddText(row.user_id);
  params.AddText(row.project_id);
  params.AddTime(row.start_time);
  params.AddTime(row.finish_time);
  params.AddText(row.message);
  params.AddInt(row.deleted);
  params.AddInt(row.version);
  return params;
}

Params RowParams(const Event& row) {
  Params params;
  params.AddInt(row.id);
  params.AddTime(row.created_at);
  params.AddTime(row.updated_at);
  params.AddTime(row.deleted_at);
  params.AddText(std::string_view(row.event));
  params.AddInt(row.action_id);
  params.AddTime(row.start_time);
  params.AddTime(row.finish_time);
  params.AddText(row.result);
  params.AddText(row.traceback);
  params.AddInt(row.deleted);
  params.AddText(row.host);
  params.AddText(row.details);
  params.AddInt(row.version);
  return params;
}

Params UpdateParams(const Instance& row, std::int64_t expected_version) {
  Params params;
  params.AddInt(row.id);
  params.AddTime(row.updated_at);
  params.AddTime(row.deleted_at);
  params.AddText(row.user_id);
  params.AddText(row.host);
  params.AddText(row.display_name);
  params.AddInt(row.deleted);
  params.AddInt(row.version);
  params.AddInt(expected_version);
  return params;
}

Params UpdateParams(const Action& row, std::int64_t expected_version) {
  Params params;
  params.AddInt(row.id);
  params.AddTime(row.updated_at);
  params.AddTime(row.finish_time);
  params.AddText(row.message);
  params.AddInt(row.version);
  params.AddInt(expected_version);
  return params;
}

Params UpdateParams(const Event& row, std::int64_t expected_version) {
  Params params;
  params.AddInt(row.id);
  params.AddTime(row.updated_at);
  params.AddTime(row.finish_time);
  params.AddText(row.result);
  params.AddText(row.traceback);
  params.AddText(row.details);
  params.AddInt(row.version);
  params.AddInt(expected_version);
  return params;
}

Params RowParams(const ChangeEntry& row) {
  Params params;
  params.AddInt(row.seq);
  params.AddTime(row.recorded_at);
  params.AddText(std::string_view(row.actor_user));
  params.AddText(std::string_view(row.actor_project));
  params.AddText(std::string_view(row.actor_service));
  params.AddText(std::string_view(row.operation));
  params.AddText(std::string_view(row.entity));
  params.AddInt(row.entity_id);
  params.AddInt(row.entity_version);
  params.AddText(std::string_view(row.instance_uuid));
  params.AddText(std::string_view(row.request_id));
  params.AddText(std::string_view(row.event));
  params.AddText(std::string_view(row.row));
  params.AddText(std::string_view(row.prev_hash));
  params.AddText(std::string_view(row.hash));
  params.AddText(std::string_view(row.parent_row));
  return params;
}

Params SealParams(const ChangeEntry& row, std::string_view canonical_rest) {
  Params params;
  params.AddText(canonical_rest);
  params.AddTime(row.recorded_at);
  params.AddText(std::string_view(row.actor_user));
  params.AddText(std::string_view(row.actor_project));
  params.AddText(std::string_view(row.actor_service));
  params.AddText(std::string_view(row.operation));
  params.AddText(std::string_view(row.entity));
  params.AddInt(row.entity_id);
  params.AddInt(row.entity_version);
  params.AddText(std::string_view(row.instance_uuid));
  params.AddText(std::string_view(row.request_id));
  params.AddText(std::string_view(row.event));
  params.AddText(std::string_view(row.row));
  params.AddText(std::string_view(row.parent_row));
  return params;
}

Instance ReadInstance(const ResultRow& row) {
  Instance out;
  out.id = row.Int(0);
  out.created_at = row.OptTime(1);
  out.updated_at = row.OptTime(2);
  out.deleted_at = row.OptTime(3);
  out.uuid = row.Text(4);
  out.project_id = row.OptText(5);
  out.user_id = row.OptText(6);
  out.host = row.OptText(7);
  out.display_name = row.OptText(8);
  out.deleted = row.Int(9);
  out.version = row.Int(10);
  return out;
}

Action ReadAction(const ResultRow& row) {
  Action out;
  out.id = row.Int(0);
  out.created_at = row.OptTime(1);
  out.updated_at = row.OptTime(2);
  out.deleted_at = row.OptTime(3);
  out.action = row.OptText(4);
  out.instance_uuid = row.Text(5);
  out.request_id = row.Text(6);
  out.user_id = row.OptText(7);
  out.project_id = row.OptText(8);
  out.start_time = row.OptTime(9);
  out.finish_time = row.OptTime(10);
  out.message = row.OptText(11);
  out.deleted = row.Int(12);
  out.version = row.Int(13);
  return out;
}

Event ReadEvent(const ResultRow& row) {
  Event out;
  out.id = row.Int(0);
  out.created_at = row.OptTime(1);
  out.updated_at = row.OptTime(2);
  out.deleted_at = row.OptTime(3);
  out.event = row.Text(4);
  out.action_id = row.Int(5);
  out.start_time = row.OptTime(6);
  out.finish_time = row.OptTime(7);
  out.result = row.OptText(8);
  out.traceback = row.OptText(9);
  out.deleted = row.Int(10);
  out.host = row.OptText(11);
  out.details = row.OptText(12);
  out.version = row.Int(13);
  return out;
}

ChangeEntry ReadChange(const ResultRow& row) {
  ChangeEntry out;
  out.seq = row.Int(0);
  out.recorded_at = row.Time(1);
  out.actor_user = row.Text(2);
  out.actor_project = row.Text(3);
  out.actor_service = row.Text(4);
  out.operation = row.Text(5);
  out.entity = row.Text(6);
  out.entity_id = row.Int(7);
  out.entity_version = row.Int(8);
  out.instance_uuid = row.Text(9);
  out.request_id = row.Text(10);
  out.event = row.Text(11);
  out.row = row.Text(12);
  out.prev_hash = row.Text(13);
  out.hash = row.Text(14);
  out.parent_row = row.Text(15);
  return out;
}

}  // namespace actionlog::store::postgres
