// A check both backends' store tests run (tests/store/): UpdateAction and UpdateEvent store only
// the columns the journal changes; identity and creation columns keep their stored values
// whatever the record passed in carries.
#pragma once

#include <optional>
#include <string>

#include "actionlog/store/store.hpp"
#include "testing/testing.hpp"

namespace actionlog::testing {

// `action` and `event` (of that action) are stored rows, read back as the store returns them.
inline void ExpectUpdatesSetOnlyTheJournalsColumns(store::Store& store, const Action& action,
                                                   const Event& event) {
  constexpr std::int64_t kHour = std::int64_t{3600} * 1000000;
  const auto later = [&](const std::optional<Timestamp>& t) {
    return Timestamp{t.value_or(Timestamp{}).micros + kHour};
  };
  Action new_action = action;
  new_action.created_at = later(action.created_at);
  new_action.start_time = later(action.start_time);
  new_action.action = "other-action";
  new_action.user_id = "other-user";
  new_action.project_id = "other-project";
  new_action.updated_at = later(action.updated_at);
  new_action.finish_time = later(action.updated_at);
  new_action.message = "Error";
  new_action.version = action.version + 1;
  Event new_event = event;
  new_event.created_at = later(event.created_at);
  new_event.start_time = later(event.start_time);
  new_event.host = "other-host";
  new_event.updated_at = later(event.updated_at);
  new_event.finish_time = later(event.updated_at);
  new_event.result = "Error";
  new_event.traceback = "Traceback";
  new_event.details = "details";
  new_event.version = event.version + 1;
  EXPECT_THAT(store.Write([&](store::WriteTransaction& tx) -> Status {
    ACTIONLOG_RETURN_IF_ERROR(tx.UpdateAction(new_action, action.version));
    return tx.UpdateEvent(new_event, event.version);
  }),
              IsOk());

  Action want_action = action;
  want_action.updated_at = new_action.updated_at;
  want_action.finish_time = new_action.finish_time;
  want_action.message = new_action.message;
  want_action.version = new_action.version;
  Event want_event = event;
  want_event.updated_at = new_event.updated_at;
  want_event.finish_time = new_event.finish_time;
  want_event.result = new_event.result;
  want_event.traceback = new_event.traceback;
  want_event.details = new_event.details;
  want_event.version = new_event.version;
  EXPECT_THAT(store.Read([&](store::ReadTransaction& tx) -> Status {
    ACTIONLOG_ASSIGN_OR_RETURN(const std::optional<Action> got_action,
                               tx.GetAction(action.instance_uuid, action.request_id));
    EXPECT_EQ(got_action, want_action);
    ACTIONLOG_ASSIGN_OR_RETURN(const std::vector<Event> got_events, tx.ListEvents(action.id));
    EXPECT_EQ(got_events, std::vector<Event>{want_event});
    return OkStatus();
  }),
              IsOk());
}

}  // namespace actionlog::testing
