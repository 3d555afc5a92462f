// The jobs and the checks of the "a failing job in a batch does not undo the others" tests of
// both backends' store tests (tests/store/): job i inserts an action and then succeeds
// (i % 3 == 0), returns kFailedPrecondition (i % 3 == 1) or throws (i % 3 == 2).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "actionlog/store/store.hpp"
#include "testing/testing.hpp"

namespace actionlog::testing {

// Runs job `i` in `tx`: counts the run, inserts `row`, calls `more` (when given) with it, then
// ends as above.
inline Status RunFailingBatchJob(
    int i, store::WriteTransaction& tx, Action row, std::atomic<int>& runs,
    const std::function<Status(store::WriteTransaction&, const Action&)>& more = nullptr) {
  ++runs;
  ACTIONLOG_RETURN_IF_ERROR(tx.InsertAction(row));
  if (more) {
    ACTIONLOG_RETURN_IF_ERROR(more(tx, row));
  }
  if (i % 3 == 1) {
    return MakeError(ErrorCode::kFailedPrecondition, "job " + std::to_string(i));
  }
  if (i % 3 == 2) {
    throw std::runtime_error("boom");
  }
  return OkStatus();
}

// Every job ran once or twice (a rerun after another job's failure) and ended as above.
inline void ExpectFailingBatchOutcome(const std::vector<Status>& results,
                                      const std::vector<std::atomic<int>>& runs) {
  for (std::size_t i = 0; i < results.size(); ++i) {
    const int ran = runs[i].load();
    EXPECT_GE(ran, 1) << i;
    EXPECT_LE(ran, 2) << i;
    if (i % 3 == 0) {
      EXPECT_THAT(results[i], IsOk()) << i;
    } else if (i % 3 == 1) {
      EXPECT_THAT(results[i], HasError(ErrorCode::kFailedPrecondition)) << i;
    } else {
      EXPECT_THAT(results[i], HasError(ErrorCode::kInternal)) << i;
    }
  }
}

}  // namespace actionlog::testing
