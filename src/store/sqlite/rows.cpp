#include "store/sqlite/rows.hpp"

namespace actionlog::store::sqlite {
namespace {

void BindId(Statement& stmt, std::int64_t id) {
  if (id != 0) {
    stmt.BindInt(1, id);
  } else {
    stmt.BindNull(1);
  }
}

}  // namespace

void BindRow(Statement& stmt, const Instance& row) {
  BindId(stmt, row.id);
  stmt.BindTime(2, row.created_at);
  stmt.BindTime(3, row.updated_at);
  stmt.BindTime(4, row.deleted_at);
  stmt.BindText(5, std::string_view(row.uuid));
  stmt.BindText(6, row.project_id);
  stmt.BindText(7, row.user_id);
  stmt.BindText(8, row.host);
  stmt.BindText(9, row.display_name);
  stmt.BindInt(10, row.deleted);
  stmt.BindInt(11, row.version);
}

void BindRow(Statement& stmt, const Action& row) {
  BindId(stmt, row.id);
  stmt.BindTime(2, row.created_at);
  stmt.BindTime(3, row.updated_at);
  stmt.BindTime(4, row.deleted_at);
  stmt.BindText(5, row.action);
  stmt.BindText(6, std::string_view(row.instance_uuid));
  stmt.BindText(7, std::string_view(row.request_id));
  stmt.BindText(8, row.user_id);
  stmt.BindText(9, row.project_id);
  stmt.BindTime(10, row.start_time);
  stmt.BindTime(11, row.finish_time);
  stmt.BindText(12, row.message);
  stmt.BindInt(13, row.deleted);
  stmt.BindInt(14, row.version);
}

void BindRow(Statement& stmt, const Event& row) {
  BindId(stmt, row.id);
  stmt.BindTime(2, row.created_at);
  stmt.BindTime(3, row.updated_at);
  stmt.BindTime(4, row.deleted_at);
  stmt.BindText(5, std::string_view(row.event));
  stmt.BindInt(6, row.action_id);
  stmt.BindTime(7, row.start_time);
  stmt.BindTime(8, row.finish_time);
  stmt.BindText(9, row.result);
  stmt.BindText(10, row.traceback);
  stmt.BindInt(11, row.deleted);
  stmt.BindText(12, row.host);
  stmt.BindText(13, row.details);
  stmt.BindInt(14, row.version);
}

void BindRow(Statement& stmt, const ChangeEntry& row) {
  stmt.BindInt(1, row.seq);
  stmt.BindTime(2, row.recorded_at);
  stmt.BindText(3, std::string_view(row.actor_user));
  stmt.BindText(4, std::string_view(row.actor_project));
  stmt.BindText(5, std::string_view(row.actor_service));
  stmt.BindText(6, std::string_view(row.operation));
  stmt.BindText(7, std::string_view(row.entity));
  stmt.BindInt(8, row.entity_id);
  stmt.BindInt(9, row.entity_version);
  stmt.BindText(10, std::string_view(row.instance_uuid));
  stmt.BindText(11, std::string_view(row.request_id));
  stmt.BindText(12, std::string_view(row.event));
  stmt.BindText(13, std::string_view(row.row));
  stmt.BindText(14, std::string_view(row.prev_hash));
  stmt.BindText(15, std::string_view(row.hash));
  stmt.BindText(16, std::string_view(row.parent_row));
}

Status ReadInstance(const Statement& stmt, Instance& row) {
  row.id = stmt.ColumnInt(0);
  ACTIONLOG_ASSIGN_OR_RETURN(row.created_at, stmt.ColumnTime(1));
  ACTIONLOG_ASSIGN_OR_RETURN(row.updated_at, stmt.ColumnTime(2));
  ACTIONLOG_ASSIGN_OR_RETURN(row.deleted_at, stmt.ColumnTime(3));
  row.uuid = stmt.ColumnText(4);
  row.project_id = stmt.ColumnOptText(5);
  row.user_id = stmt.ColumnOptText(6);
  row.host = stmt.ColumnOptText(7);
  row.display_name = stmt.ColumnOptText(8);
  row.deleted = stmt.ColumnInt(9);
  row.version = stmt.ColumnInt(10);
  return OkStatus();
}

Status ReadAction(const Statement& stmt, Action& row) {
  row.id = stmt.ColumnInt(0);
  ACTIONLOG_ASSIGN_OR_RETURN(row.created_at, stmt.ColumnTime(1));
  ACTIONLOG_ASSIGN_OR_RETURN(row.updated_at, stmt.ColumnTime(2));
  ACTIONLOG_ASSIGN_OR_RETURN(row.deleted_at, stmt.ColumnTime(3));
  row.action = stmt.ColumnOptText(4);
  row.instance_uuid = stmt.ColumnText(5);
  row.request_id = stmt.ColumnText(6);
  row.user_id = stmt.ColumnOptText(7);
  row.project_id = stmt.ColumnOptText(8);
  ACTIONLOG_ASSIGN_OR_RETURN(row.start_time, stmt.ColumnTime(9));
  ACTIONLOG_ASSIGN_OR_RETURN(row.finish_time, stmt.ColumnTime(10));
  row.message = stmt.ColumnOptText(11);
  row.deleted = stmt.ColumnInt(12);
  row.version = stmt.ColumnInt(13);
  return OkStatus();
}

Status ReadEvent(const Statement& stmt, Event& row) {
  row.id = stmt.ColumnInt(0);
  ACTIONLOG_ASSIGN_OR_RETURN(row.created_at, stmt.ColumnTime(1));
  ACTIONLOG_ASSIGN_OR_RETURN(row.updated_at, stmt.ColumnTime(2));
  ACTIONLOG_ASSIGN_OR_RETURN(row.deleted_at, stmt.ColumnTime(3));
  row.event = stmt.ColumnText(4);
  row.action_id = stmt.ColumnInt(5);
  ACTIONLOG_ASSIGN_OR_RETURN(row.start_time, stmt.ColumnTime(6));
  ACTIONLOG_ASSIGN_OR_RETURN(row.finish_time, stmt.ColumnTime(7));
  row.result = stmt.ColumnOptText(8);
  row.traceback = stmt.ColumnOptText(9);
  row.deleted = stmt.ColumnInt(10);
  row.host = stmt.ColumnOptText(11);
  row.details = stmt.ColumnOptText(12);
  row.version = stmt.ColumnInt(13);
  return OkStatus();
}

Status ReadChange(const Statement& stmt, ChangeEntry& row) {
  row.seq = stmt.ColumnInt(0);
  ACTIONLOG_ASSIGN_OR_RETURN(row.recorded_at, stmt.ColumnRequiredTime(1));
  row.actor_user = stmt.ColumnText(2);
  row.actor_project = stmt.ColumnText(3);
  row.actor_service = stmt.ColumnText(4);
  row.operation = stmt.ColumnText(5);
  row.entity = stmt.ColumnText(6);
  row.entity_id = stmt.ColumnInt(7);
  row.entity_version = stmt.ColumnInt(8);
  row.instance_uuid = stmt.ColumnText(9);
  row.request_id = stmt.ColumnText(10);
  row.event = stmt.ColumnText(11);
  row.row = stmt.ColumnText(12);
  row.prev_hash = stmt.ColumnText(13);
  row.hash = stmt.ColumnText(14);
  row.parent_row = stmt.ColumnText(15);
  return OkStatus();
}

}  // namespace actionlog::store::sqlite
