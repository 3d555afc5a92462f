#include "workload.hpp"

#include <array>
#include <cstdio>
#include <string_view>

namespace actionlog::bench {
namespace {

constexpr std::array<std::string_view, 14> kActionNames = {
    "create",           "reboot",  "stop",           "start",         "resize",
    "confirmResize",    "migrate", "live-migration", "attach_volume", "detach_volume",
    "attach_interface", "rebuild", "pause",          "unpause"};

constexpr std::array<std::string_view, 16> kEventNames = {
    "conductor_schedule_and_build_instances",
    "compute__do_build_and_run_instance",
    "compute_prep_resize",
    "compute_resize_instance",
    "compute_finish_resize",
    "compute_reboot_instance",
    "compute_stop_instance",
    "compute_start_instance",
    "conductor_migrate_server",
    "compute_pre_live_migration",
    "compute_live_migration",
    "compute_post_live_migration_at_destination",
    "compute_attach_volume",
    "compute_detach_volume",
    "compute_attach_interface",
    "compute_rebuild_instance"};

constexpr std::string_view kUserId = "bench-user-0123456789abcdef0123456789";
constexpr std::string_view kProjectId = "bench-project-0123456789abcdef01234567";
constexpr std::string_view kHost = "bench-host";
constexpr std::int64_t kMicrosPerMs = 1000;
// 2024-01-01 00:00:00 UTC: the first filled action starts here, one every 10 ms.
constexpr std::int64_t kFillEpochMicros = 1704067200LL * 1000000;
constexpr std::int64_t kFillStepMicros = 10 * kMicrosPerMs;

std::uint64_t SplitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31U);
}

// Canonical 8-4-4-4-12 form of a version-4 UUID built from 128 random bits.
std::string Uuid4(std::uint64_t hi, std::uint64_t lo) {
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  std::array<char, 37> buf{};
  std::snprintf(buf.data(), buf.size(), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32U),
                static_cast<unsigned long long>((hi >> 16U) & 0xffffU),
                static_cast<unsigned long long>(hi & 0xffffU),
                static_cast<unsigned long long>(lo >> 48U),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return std::string(buf.data(), 36);
}

Timestamp At(std::int64_t micros) { return Timestamp{micros}; }

}  // namespace

const Actor& BenchActor() {
  static const Actor actor{std::string(kUserId), std::string(kProjectId), "nova-compute"};
  return actor;
}

std::string InstanceUuid(int index) {
  const auto i = static_cast<std::uint64_t>(index);
  return Uuid4(SplitMix64(0x1157a9ce00000000ULL + i), SplitMix64(0x2157a9ce00000000ULL + i));
}

std::string RequestId(std::uint64_t seed, std::uint64_t index) {
  const std::uint64_t hi = SplitMix64(seed ^ (index * 2));
  const std::uint64_t lo = SplitMix64(SplitMix64(seed) ^ (index * 2 + 1));
  return "req-" + Uuid4(hi, lo);
}

std::string RandomRequestId(Rng& rng) {
  const std::uint64_t hi = rng();
  return "req-" + Uuid4(hi, rng());
}

std::string ActionName(std::uint64_t seq) {
  return std::string(kActionNames.at(seq % kActionNames.size()));
}

std::string EventName(std::uint64_t seq, int j) {
  return std::string(kEventNames.at((seq + static_cast<std::uint64_t>(j)) % kEventNames.size()));
}

std::string FailureDetails(const std::string& instance_uuid) {
  return "Build of instance " + instance_uuid + " aborted: Failed to allocate the network(s)";
}

std::string MakeTraceback(std::uint64_t seq) {
  constexpr std::array<std::array<std::string_view, 2>, 7> kFrames = {{
      {"nova/compute/utils.py", "decorated_function"},
      {"nova/compute/manager.py", "_do_build_and_run_instance"},
      {"nova/compute/manager.py", "_build_and_run_instance"},
      {"nova/virt/libvirt/driver.py", "spawn"},
      {"nova/virt/libvirt/driver.py", "_create_guest_with_network"},
      {"oslo_utils/excutils.py", "__exit__"},
      {"nova/virt/libvirt/guest.py", "launch"},
  }};
  std::string out = "Traceback (most recent call last):\n";
  for (std::size_t i = 0; i < kFrames.size(); ++i) {
    out += "  File \"/usr/lib/python3/dist-packages/" + std::string(kFrames.at(i)[0]) +
           "\", line " + std::to_string(100 + 37 * i + seq % 97) + ", in " +
           std::string(kFrames.at(i)[1]) +
           "\n    result = function(self, context, *args, **kwargs)\n";
  }
  out += "libvirt.libvirtError: internal error: qemu unexpectedly closed the monitor (request " +
         std::to_string(seq) +
         "): 2024-01-01T00:00:00.000000Z qemu-system-x86_64: -device virtio-net-pci: failed to "
         "set up TAP device: Operation not permitted\n";
  return out;
}

Status RegisterInstances(Journal& journal) {
  for (int i = 0; i < kInstances; ++i) {
    InstanceSpec spec;
    spec.uuid = InstanceUuid(i);
    spec.project_id = std::string(kProjectId);
    spec.user_id = std::string(kUserId);
    spec.host = std::string(kHost);
    spec.display_name = "bench-" + std::to_string(i);
    ACTIONLOG_RETURN_IF_ERROR(journal.PutInstance(BenchActor(), spec));
  }
  return OkStatus();
}

namespace {

Status RecordEvent(Journal& journal, const StartActionSpec& action, std::uint64_t seq, int j,
                   Rng& rng) {
  StartEventSpec start{action.instance_uuid, action.request_id, EventName(seq, j),
                       std::string(kHost), std::nullopt};
  ACTIONLOG_RETURN_IF_ERROR(journal.StartEvent(BenchActor(), start));
  FinishEventSpec finish;
  finish.instance_uuid = action.instance_uuid;
  finish.request_id = action.request_id;
  finish.event = start.event;
  finish.result = std::string(kResultSuccess);
  if (std::uniform_real_distribution<double>(0.0, 1.0)(rng) < kFailRate) {
    finish.result = std::string(kResultError);
    finish.details = FailureDetails(action.instance_uuid);
    finish.traceback = MakeTraceback(seq);
  }
  ACTIONLOG_RETURN_IF_ERROR(journal.FinishEvent(BenchActor(), finish));
  return OkStatus();
}

}  // namespace

Status RecordAction(Journal& journal, const std::string& instance_uuid, std::uint64_t seq,
                    Rng& rng) {
  StartActionSpec action{instance_uuid,        RandomRequestId(rng),    ActionName(seq),
                         std::string(kUserId), std::string(kProjectId), std::nullopt};
  ACTIONLOG_RETURN_IF_ERROR(journal.StartAction(BenchActor(), action));
  for (int j = 0; j < kEventsPerAction; ++j) {
    ACTIONLOG_RETURN_IF_ERROR(RecordEvent(journal, action, seq, j, rng));
  }
  FinishActionSpec finish{instance_uuid, action.request_id, std::nullopt, std::nullopt};
  ACTIONLOG_RETURN_IF_ERROR(journal.FinishAction(BenchActor(), finish));
  return OkStatus();
}

ActionWithEvents FilledAction(std::uint64_t seed, std::uint64_t index) {
  const std::int64_t t0 = kFillEpochMicros + static_cast<std::int64_t>(index) * kFillStepMicros;
  const std::string uuid = InstanceUuid(static_cast<int>(index % kInstances));
  ActionWithEvents out;
  for (int j = 0; j < kEventsPerAction; ++j) {
    const std::int64_t start = t0 + 2 * j * kMicrosPerMs;
    Event e;
    e.event = EventName(index, j);
    e.created_at = e.start_time = At(start);
    e.updated_at = e.finish_time = At(start + kMicrosPerMs);
    e.host = std::string(kHost);
    e.result = std::string(kResultSuccess);
    const std::uint64_t draw =
        SplitMix64(seed ^ (index * kEventsPerAction + static_cast<std::uint64_t>(j)));
    if (static_cast<double>(draw >> 11U) * 0x1p-53 < kFailRate) {
      e.result = std::string(kResultError);
      e.details = FailureDetails(uuid);
      e.traceback = MakeTraceback(index);
      out.action.message = std::string(kMessageError);
    }
    out.events.push_back(std::move(e));
  }
  const std::int64_t end = t0 + (2 * kEventsPerAction + 1) * kMicrosPerMs;
  out.action.action = ActionName(index);
  out.action.instance_uuid = uuid;
  out.action.request_id = RequestId(seed, index);
  out.action.user_id = std::string(kUserId);
  out.action.project_id = std::string(kProjectId);
  out.action.created_at = out.action.start_time = At(t0);
  out.action.updated_at = out.action.finish_time = At(end);
  return out;
}

}  // namespace actionlog::bench
