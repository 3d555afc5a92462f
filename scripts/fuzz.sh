#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, preset "fuzz": clang, ASan+UBSan) and runs each of them
# for a bounded time, one process at a time. Fails when a target crashes, leaks, times out or
# breaks one of its properties; the input is kept under build/fuzz/artifacts/<target>/.
#
#   bash scripts/fuzz.sh --short                 # CI: every target for 20 s (FUZZ_SECONDS)
#   bash scripts/fuzz.sh --long 600              # every target for 600 s
#   bash scripts/fuzz.sh --long 600 time auth    # only these targets
#   bash scripts/fuzz.sh --repro build/fuzz/artifacts/auth/crash-...   # rerun one input
#
# Each run starts from the committed seeds (fuzz/corpus/<target>/) plus what earlier runs on this
# machine found (build/fuzz/corpus/<target>/, not committed). The last line of each target's log
# is libFuzzer's final "DONE" line (executions, cov, ft, corpus size); logs are kept under
# build/fuzz/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS_ALL=(http_request journal_body time auth nova_import)
mode=${1:---short}
shift || true
seconds=${FUZZ_SECONDS:-20}
case "$mode" in
  --short) ;;
  --long)
    seconds=${1:?usage: fuzz.sh --long SECONDS [TARGET...]}
    shift
    ;;
  --repro) ;;
  *)
    echo "usage: fuzz.sh --short | --long SECONDS [TARGET...] | --repro FILE..." >&2
    exit 2
    ;;
esac

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ is missing (bash scripts/install-deps.sh)" >&2
  exit 1
fi
if ! compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a' >/dev/null; then
  echo "fuzz.sh: libFuzzer is missing (libclang-rt-14-dev; bash scripts/install-deps.sh)" >&2
  exit 1
fi

BUILD=build/fuzz
if command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
fi
# The targets use SQLite only: no PostgreSQL backend in this build.
cmake --preset fuzz -B "$BUILD" -DACTIONLOG_WITH_POSTGRES=OFF >/dev/null
cmake --build "$BUILD" -j "${JOBS:-$(nproc)}" --target fuzzers

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [[ $mode == --repro ]]; then
  status=0
  for file in "$@"; do
    target=$(basename "$(dirname "$file")")
    "$BUILD/bin/fuzz/${target}_fuzzer" "$file" || status=1
  done
  exit $status
fi

targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=("${TARGETS_ALL[@]}")
fi

max_len() {
  case "$1" in
    http_request | journal_body | nova_import) echo 8192 ;;
    *) echo 1024 ;;
  esac
}

failed=()
summary=()
for target in "${targets[@]}"; do
  bin="$BUILD/bin/fuzz/${target}_fuzzer"
  seeds="fuzz/corpus/$target"
  work="$BUILD/corpus/$target"
  artifacts="$BUILD/artifacts/$target"
  log="$BUILD/logs/$target.log"
  if [[ ! -x $bin || ! -d $seeds ]]; then
    echo "fuzz.sh: unknown target '$target' (known: ${TARGETS_ALL[*]})" >&2
    exit 2
  fi
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -max_len="$(max_len "$target")"
    -print_final_stats=1 -artifact_prefix="$artifacts/")
  if [[ -f fuzz/$target.dict ]]; then
    args+=(-dict="fuzz/$target.dict")
  fi
  echo "=== fuzz $target: ${seconds}s"
  set +e
  "$bin" "${args[@]}" "$work" "$seeds" >"$log" 2>&1
  rc=$?
  set -e
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  summary+=("$target: ${done_line:-no DONE line} (executions ${execs:-?}, exit $rc)")
  if ((rc != 0)); then
    failed+=("$target")
    echo "--- $target failed (exit $rc); log: $log" >&2
    grep -E 'ERROR|fuzz property failed|SUMMARY|Test unit written|^#[0-9]+' "$log" | tail -n 20 >&2
  fi
done

echo "=== fuzz summary"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "fuzz.sh: FAILED: ${failed[*]} (inputs under $BUILD/artifacts/)" >&2
  exit 1
fi
echo "fuzz.sh: all ${#targets[@]} targets ran ${seconds}s without a failure"
