#!/usr/bin/env python3
"""Soak of `actionlog serve`: mixed reads and writes through HTTP for a bounded time.

One service on a SQLite file database; writer threads record actions through /journal/v1
(start, events that succeed or fail with details and a traceback, finish; identical replays and
conflicting requests), reader threads read them back through Nova's API (index and show at
microversion 2.93, admin and owner tokens) and /journal/v1; every 20th request of a client
opens a new connection. Every `--interval` seconds the harness samples the requests completed,
the service's RSS (VmRSS), its open file descriptors and how many of them are sockets, and the
database size. Checks:

  * no request fails (no 5xx, no connection error; 4xx only where the step expects it);
  * throughput steady: after the warm-up, no interval below `--min-fraction` of the median;
  * no RSS growth trend: over the measured part (after the warm-up), the largest RSS of the last
    quarter is at most the largest RSS of the second quarter plus `--rss-slack-mib` and plus
    what the SQLite writer's page cache may legitimately add meanwhile (it holds the pages it
    wrote, min(database size, 72 MiB)): a leak grows with requests, the page cache stops at
    its cap;
  * no descriptor or connection leak: once every client has closed its connections, the socket
    count returns exactly to its baseline (the listener) and the descriptor count to at most
    its baseline after the warm-up (database files of the reader pool opened then);
  * `actionlog verify` passes after the service stopped with SIGTERM (exit code 0).

    soak_test.py --binary BIN [--duration S] [--interval S] [--writers N] [--readers N]
                 [--min-fraction F] [--rss-slack-mib M] [--sanitized]

Short form (CI): --duration 40. Long form: --duration 600 or more (scripts/stress.sh soak).
Bounded: the duration, a 30 s timeout per request; the service listens on 127.0.0.1 only.
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ADMIN = "admin:admin-project:admin"
TIMEOUT = 30
TRACEBACK = ("Traceback (most recent call last):\n  File \"nova/compute/manager.py\", line 10467, "
             "in _error_out_instance_on_exception\n    yield\nnova.exception.ResizeError: "
             "Resize error: no space\n")
# The SQLite writer connection's page cache (PRAGMA cache_size=-65536 in src/store/sqlite, plus
# about 10 % of per-page headers): it keeps the pages the writer touched, so it grows with the
# database until this cap. Readers' caches are reset whenever the writer commits (WAL mode), so
# they stay small.
SQLITE_CACHE_MIB = 72


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Soak:
    def __init__(self, args):
        self.args = args
        self.workdir = tempfile.mkdtemp(prefix="actionlog-soak-")
        self.db_path = os.path.join(self.workdir, "journal.db")
        self.db_url = f"sqlite:///{self.db_path}"
        self.port = free_port()
        self.proc = None
        self.lock = threading.Lock()
        self.done = 0  # requests completed
        self.latencies = []  # seconds, of the current interval
        self.failures = []
        self.stop = threading.Event()
        self.recent = []  # (instance uuid, request id, project) of finished actions
        self.counts = {"writes": 0, "reads": 0, "conflicts": 0, "replays": 0,
                       "connections": 0}

    def fail(self, message):
        with self.lock:
            self.failures.append(message)
            if len(self.failures) <= 20:
                print("FAIL", message, flush=True)

    # -- the service -------------------------------------------------------------------------

    def start(self):
        log = open(os.path.join(self.workdir, "serve.log"), "ab")
        self.proc = subprocess.Popen(
            [self.args.binary, "--db", self.db_url, "serve", "--listen",
             f"127.0.0.1:{self.port}", "--auth", "noauth", "--access-log", "none"],
            stdout=log, stderr=log)
        log.close()
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"actionlog serve exited with {self.proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/v2.1")
                ok = conn.getresponse().status == 200
                conn.close()
                if ok:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("actionlog serve did not start within 30 s")

    def sample(self):
        pid = self.proc.pid
        rss = 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])  # kB
        fds = os.listdir(f"/proc/{pid}/fd")
        sockets = 0
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    sockets += 1
            except OSError:
                pass
        size = 0
        for suffix in ("", "-wal"):
            try:
                size += os.path.getsize(self.db_path + suffix)
            except OSError:
                pass
        return {"rss_kb": rss, "fds": len(fds), "sockets": sockets, "db_bytes": size}

    # -- clients -----------------------------------------------------------------------------

    def client(self, token):
        state = {"conn": None, "n": 0}

        def call(method, path, body=None, headers=None, accept=(200,)):
            if state["conn"] is None or state["n"] % 20 == 19:
                if state["conn"] is not None:
                    state["conn"].close()
                state["conn"] = http.client.HTTPConnection("127.0.0.1", self.port,
                                                           timeout=TIMEOUT)
                with self.lock:
                    self.counts["connections"] += 1
            state["n"] += 1
            hdrs = {"X-Auth-Token": token}
            hdrs.update(headers or {})
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                hdrs["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                state["conn"].request(method, path, body=data, headers=hdrs)
                resp = state["conn"].getresponse()
                payload = resp.read()
            except (OSError, http.client.HTTPException) as e:
                state["conn"].close()
                state["conn"] = None
                self.fail(f"{method} {path}: {type(e).__name__}: {e}")
                return None, None
            elapsed = time.perf_counter() - started
            with self.lock:
                self.done += 1
                self.latencies.append(elapsed)
            if resp.status not in accept:
                self.fail(f"{method} {path}: {resp.status}, wanted {accept}: {payload[:300]}")
                return resp.status, None
            return resp.status, (json.loads(payload) if payload else None)

        def close():
            if state["conn"] is not None:
                state["conn"].close()
                state["conn"] = None

        return call, close

    def writer(self, w):
        rng = random.Random(self.args.seed * 100 + w)
        project = f"project-{w}"
        call, close = self.client(f"writer{w}:{project}:service")
        instance, per_instance = None, 0
        try:
            while not self.stop.is_set():
                if instance is None or per_instance >= 50:
                    instance = str(uuid.uuid4())
                    per_instance = 0
                    call("PUT", f"/journal/v1/instances/{instance}",
                         {"instance": {"project_id": project, "user_id": f"writer{w}",
                                       "host": f"compute-{w}", "display_name": f"soak-{w}"}},
                         accept=(201,))
                per_instance += 1
                rid = f"req-{uuid.uuid4()}"
                base = f"/journal/v1/instances/{instance}/actions"
                start = {"action": {"request_id": rid, "action": rng.choice(["reboot", "resize"]),
                                    "user_id": f"writer{w}", "project_id": project}}
                writes = 1
                if call("POST", base, start, accept=(201,))[0] != 201:
                    continue
                if rng.random() < 0.2:
                    call("POST", base, start, accept=(200,))
                    writes += 1
                    with self.lock:
                        self.counts["replays"] += 1
                for e in range(rng.randint(1, 3)):
                    name = f"compute_step_{e}"
                    call("POST", f"{base}/{rid}/events", {"event": {"event": name}},
                         accept=(201,))
                    fin = ({"result": "Error", "details": "ResizeError: no space",
                            "traceback": TRACEBACK} if rng.random() < 0.3
                           else {"result": "Success"})
                    call("POST", f"{base}/{rid}/events/{name}/finish", fin)
                    writes += 2
                    if rng.random() < 0.1:
                        other = {"result": "Success"} if fin["result"] == "Error" else {
                            "result": "Error"}
                        call("POST", f"{base}/{rid}/events/{name}/finish", other,
                             accept=(409,))
                        writes += 1
                        with self.lock:
                            self.counts["conflicts"] += 1
                call("POST", f"{base}/{rid}/finish", {})
                writes += 1
                with self.lock:
                    self.counts["writes"] += writes
                    self.recent.append((instance, rid, project))
                    if len(self.recent) > 2000:
                        del self.recent[:1000]
        finally:
            close()

    def reader(self, r):
        rng = random.Random(self.args.seed * 100 + 50 + r)
        admin_call, admin_close = self.client(ADMIN)
        hdrs = {"OpenStack-API-Version": "compute 2.93"}
        try:
            while not self.stop.is_set():
                with self.lock:
                    pick = rng.choice(self.recent[-500:]) if self.recent else None
                if pick is None:
                    time.sleep(0.05)
                    continue
                instance, rid, project = pick
                kind = rng.random()
                if kind < 0.4:
                    admin_call("GET", f"/v2.1/servers/{instance}/os-instance-actions?limit=20",
                               headers=hdrs)
                elif kind < 0.8:
                    admin_call("GET", f"/v2.1/servers/{instance}/os-instance-actions/{rid}",
                               headers=hdrs)
                else:
                    admin_call("GET", f"/journal/v1/instances/{instance}/actions/{rid}")
                with self.lock:
                    self.counts["reads"] += 1
        finally:
            admin_close()

    # -- the run -----------------------------------------------------------------------------

    def run_clients(self, seconds, record):
        """Runs the clients for `seconds`; with `record`, samples every interval."""
        self.stop.clear()
        threads = [threading.Thread(target=self.writer, args=(w,), daemon=True)
                   for w in range(self.args.writers)]
        threads += [threading.Thread(target=self.reader, args=(r,), daemon=True)
                    for r in range(self.args.readers)]
        for t in threads:
            t.start()
        samples = []
        started = time.time()
        last_done, last_t = self.done, started
        while time.time() - started < seconds:
            time.sleep(min(self.args.interval, max(0.0, started + seconds - time.time())))
            now = time.time()
            with self.lock:
                done, lat = self.done, self.latencies
                self.latencies = []
            if record:
                s = self.sample()
                s.update(t=now - started, rps=(done - last_done) / max(now - last_t, 1e-6),
                         p50_ms=1000 * statistics.median(lat) if lat else 0.0,
                         p99_ms=1000 * sorted(lat)[int(0.99 * (len(lat) - 1))] if lat else 0.0)
                samples.append(s)
                print(f"  t={s['t']:6.1f}s {s['rps']:7.1f} req/s p50 {s['p50_ms']:6.1f} ms "
                      f"p99 {s['p99_ms']:7.1f} ms  rss {s['rss_kb'] / 1024:7.1f} MiB  "
                      f"fds {s['fds']:3d} (sockets {s['sockets']:3d})  "
                      f"db {s['db_bytes'] / 2**20:6.1f} MiB", flush=True)
            last_done, last_t = done, now
        self.stop.set()
        for t in threads:
            t.join(timeout=TIMEOUT + 5)
        return samples

    def wait_for_fds(self, fds, sockets, timeout=10):
        deadline = time.time() + timeout
        while True:
            s = self.sample()
            if (s["fds"] <= fds and s["sockets"] <= sockets) or time.time() > deadline:
                return s
            time.sleep(0.1)

    def run(self):
        a = self.args
        self.start()
        base0 = self.sample()
        print(f"soak: seed {a.seed}, {a.duration} s, {a.writers} writers + {a.readers} readers, "
              f"sampling every {a.interval} s; at start rss {base0['rss_kb'] / 1024:.1f} MiB, "
              f"fds {base0['fds']} (sockets {base0['sockets']})", flush=True)
        warmup = max(a.interval * 2, a.duration * 0.1)
        self.run_clients(warmup, record=False)
        base = self.wait_for_fds(10**9, 1)
        print(f"after warm-up ({warmup:.0f} s) and clients closed: fds {base['fds']} "
              f"(sockets {base['sockets']}), rss {base['rss_kb'] / 1024:.1f} MiB", flush=True)
        if base["sockets"] != 1:
            self.fail(f"{base['sockets']} sockets open after the warm-up's clients closed; "
                      f"wanted 1 (the listener)")
        samples = self.run_clients(a.duration - warmup, record=True)
        end = self.wait_for_fds(base["fds"], base["sockets"])
        self.judge(samples, base, end)
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = "timeout"
        if rc != 0:
            self.fail(f"SIGTERM: exit code {rc}")
        run = subprocess.run([a.binary, "--db", self.db_url, "-f", "json", "verify"],
                             capture_output=True, text=True, timeout=600)
        doc = json.loads(run.stdout) if run.returncode == 0 else {}
        if run.returncode != 0 or not doc.get("ok"):
            self.fail(f"verify: exit {run.returncode} {run.stdout} {run.stderr}")
        print(f"verify: ok, {doc.get('entries_checked')} change-log entries, "
              f"{doc.get('rows_checked')} rows", flush=True)

    def judge(self, samples, base, end):
        a = self.args
        if len(samples) < 4:
            self.fail(f"only {len(samples)} samples; run longer")
            return
        rates = [s["rps"] for s in samples[:-1]]  # the last interval may be cut short
        med = statistics.median(rates)
        low = min(rates)
        if low < a.min_fraction * med:
            bad = [f"t={s['t']:.0f}s {s['rps']:.0f}" for s in samples[:-1]
                   if s["rps"] < a.min_fraction * med]
            self.fail(f"throughput not steady: median {med:.0f} req/s, intervals below "
                      f"{a.min_fraction:.0%} of it: {', '.join(bad)}")
        q = len(samples) // 4
        second, last = samples[q:2 * q], samples[len(samples) - q:]
        rss2 = max(s["rss_kb"] for s in second) / 1024
        rss4 = max(s["rss_kb"] for s in last) / 1024
        cache_q2 = min(second[0]["db_bytes"] / 2**20, SQLITE_CACHE_MIB)
        cache_end = min(last[-1]["db_bytes"] / 2**20, SQLITE_CACHE_MIB)
        cache_allowance = max(0.0, cache_end - cache_q2)
        allowed = rss2 + cache_allowance + a.rss_slack_mib
        half = samples[len(samples) // 2:]
        slope = fit_slope([s["t"] for s in half], [s["rss_kb"] / 1024 for s in half]) * 60
        print(f"throughput: median {med:.0f} req/s, min {low:.0f}, max {max(rates):.0f} "
              f"({low / med:.0%} of the median at worst)", flush=True)
        print(f"rss: second-quarter max {rss2:.1f} MiB, last-quarter max {rss4:.1f} MiB "
              f"(allowed {allowed:.1f}: +{cache_allowance:.1f} writer page cache for a database "
              f"of {second[0]['db_bytes'] / 2**20:.1f} -> {last[-1]['db_bytes'] / 2**20:.1f} "
              f"MiB, +{a.rss_slack_mib:.0f} slack); slope of "
              f"the second half {slope:+.2f} MiB/min", flush=True)
        print(f"fds: baseline {base['fds']} (sockets {base['sockets']}), after the clients "
              f"closed {end['fds']} (sockets {end['sockets']}); peak "
              f"{max(s['fds'] for s in samples)} (sockets {max(s['sockets'] for s in samples)})",
              flush=True)
        if rss4 > allowed and a.sanitized:
            print("rss: not judged in a sanitizer build (ASan's quarantine and TSan's shadow "
                  "memory grow with use)", flush=True)
        elif rss4 > allowed:
            self.fail(f"rss grew: last-quarter max {rss4:.1f} MiB > allowed {allowed:.1f} MiB")
        if end["sockets"] != base["sockets"]:
            self.fail(f"connection leak: {end['sockets']} sockets open after the clients "
                      f"closed, baseline {base['sockets']}")
        if end["fds"] > base["fds"]:
            self.fail(f"descriptor leak: {end['fds']} open after the clients closed, baseline "
                      f"{base['fds']}")


def fit_slope(xs, ys):
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--duration", type=float, default=40, help="seconds (default 40)")
    p.add_argument("--interval", type=float, default=0, help="sampling interval, seconds "
                   "(default: duration/20, at least 2)")
    p.add_argument("--writers", type=int, default=3)
    p.add_argument("--readers", type=int, default=3)
    p.add_argument("--min-fraction", type=float, default=0.25,
                   help="lowest interval throughput allowed, as a fraction of the median")
    p.add_argument("--rss-slack-mib", type=float, default=16)
    p.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    p.add_argument("--sanitized", action="store_true",
                   help="the binary is a sanitizer build: report RSS but do not judge it")
    args = p.parse_args()
    if args.interval <= 0:
        args.interval = max(2.0, args.duration / 20)
    soak = Soak(args)
    started = time.time()
    try:
        soak.run()
    finally:
        if soak.proc is not None and soak.proc.poll() is None:
            soak.proc.kill()
            soak.proc.wait()
    c = soak.counts
    print(f"soak: {time.time() - started:.0f} s, {soak.done} requests ({c['writes']} writes, "
          f"{c['reads']} reads, {c['replays']} replays, {c['conflicts']} conflicts), "
          f"{c['connections']} connections opened; {len(soak.failures)} problems", flush=True)
    if soak.failures:
        print(f"seed {args.seed}; database and log kept in {soak.workdir}")
        return 1
    shutil.rmtree(soak.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
