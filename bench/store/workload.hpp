// The workload shape of ../shared/peers/nova-db (bench_nova_db.py), on the actionlog journal.
//
// An action is StartAction, then 3 x (StartEvent, FinishEvent), then FinishAction: 8 journal
// writes, each its own Store::Write. 10% of event finishes fail with Nova-like details and a
// ~1.6 KB traceback. Actions go round-robin over 200 instances. Request ids are "req-<uuid4>".
// Thread-safety: the functions are pure, except that RecordAction writes through the journal
// (which is thread-safe) and advances the caller's generator.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "actionlog/core/journal.hpp"

namespace actionlog::bench {

inline constexpr int kInstances = 200;
inline constexpr int kEventsPerAction = 3;
inline constexpr double kFailRate = 0.1;

using Rng = std::mt19937_64;

// The actor every benchmark write is recorded under.
const Actor& BenchActor();

// Deterministic canonical UUID of instance `index` (0 <= index < kInstances).
std::string InstanceUuid(int index);

// "req-" + a UUID4-shaped id derived from (seed, index): deterministic, so readers can pick any
// action of a filled database without storing the ids.
std::string RequestId(std::uint64_t seed, std::uint64_t index);

// A fresh random "req-<uuid4>".
std::string RandomRequestId(Rng& rng);

std::string ActionName(std::uint64_t seq);
std::string EventName(std::uint64_t seq, int j);
std::string FailureDetails(const std::string& instance_uuid);
// ~1.6 KB, shaped like what Nova stores in instance_actions_events.traceback.
std::string MakeTraceback(std::uint64_t seq);

// Registers the kInstances instances (idempotent).
Status RegisterInstances(Journal& journal);

// Records one complete action on `instance_uuid`: 8 journal writes. Fails on the first error.
Status RecordAction(Journal& journal, const std::string& instance_uuid, std::uint64_t seq,
                    Rng& rng);

// The complete record of action `index` of a filled database, as CloneActionWithEvents takes it:
// instance index % kInstances, request RequestId(seed, index), times increasing with index.
ActionWithEvents FilledAction(std::uint64_t seed, std::uint64_t index);

}  // namespace actionlog::bench
