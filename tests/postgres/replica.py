#!/usr/bin/env python3
"""`actionlog serve --read-db`: Nova's read API served by a PostgreSQL hot standby.

One service writes to the primary and serves Nova's read API from a streaming-replication
standby of it. Checks: writes are acknowledged and become readable once the standby replays
them; with the standby's replay paused, new writes are still acknowledged (and writes that
depend on them still pass their checks, which read the primary), /journal/v1 reads see them
(they read the primary) while Nova's API does not; once replay resumes Nova's API shows them; `actionlog verify` passes on the standby; a write through a store opened on the
standby is refused (exit code 7, unavailable), and nothing of it reaches the primary.

    replica.py <actionlog binary> <primary postgresql:// URL> <standby postgresql:// URL>

Bounded: one server on 127.0.0.1, a handful of requests with a 10 s timeout each, and at most
30 s of waiting for the standby to replay. The server is stopped with SIGTERM.
"""
import signal
import subprocess
import sys
import time
import uuid

from serve_client import ADMIN, request, start_server

INSTANCE = str(uuid.uuid4())
REPLAY_TIMEOUT = 30


def psql(url, sql):
    out = subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True, text=True,
                         timeout=30)
    return out.stdout.strip()


def show(port, rid):
    return request(port, "GET", f"/v2.1/servers/{INSTANCE}/os-instance-actions/{rid}",
                   token=ADMIN)


def wait_for(what, check):
    deadline = time.time() + REPLAY_TIMEOUT
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def expect(what, got, want):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


def main():
    binary, primary, standby = sys.argv[1:4]
    proc, port = start_server(binary, primary, "--read-db", standby)
    base = f"/journal/v1/instances/{INSTANCE}"
    try:
        expect("register", request(port, "PUT", base, {"instance": {
            "project_id": "proj-1", "user_id": "user-1", "host": "host-1"}})[0], 201)
        expect("start req-1", request(port, "POST", base + "/actions", {"action": {
            "request_id": "req-1", "action": "create", "user_id": "user-1",
            "project_id": "proj-1"}})[0], 201)
        wait_for("req-1 on the standby", lambda: show(port, "req-1")[0] == 200)

        psql(standby, "SELECT pg_wal_replay_pause()")
        wait_for("the standby to pause",
                 lambda: psql(standby, "SELECT pg_get_wal_replay_pause_state()") == "paused")
        expect("start req-2", request(port, "POST", base + "/actions", {"action": {
            "request_id": "req-2", "action": "reboot", "user_id": "user-1",
            "project_id": "proj-1"}})[0], 201)
        # These writes check that req-2 exists: they read the primary, not the paused standby.
        expect("start event", request(port, "POST", base + "/actions/req-2/events", {"event": {
            "event": "compute_reboot_instance", "host": "host-1"}})[0], 201)
        expect("finish event", request(
            port, "POST", base + "/actions/req-2/events/compute_reboot_instance/finish",
            {"result": "Success"})[0], 200)
        expect("replayed start", request(port, "POST", base + "/actions", {"action": {
            "request_id": "req-2", "action": "reboot", "user_id": "user-1",
            "project_id": "proj-1"}})[0], 200)
        # Reads come from the standby, which has not replayed any of it.
        expect("req-2 while paused", show(port, "req-2")[0], 404)
        status, listed = request(port, "GET", f"/v2.1/servers/{INSTANCE}/os-instance-actions",
                                 token=ADMIN)
        expect("list while paused", (status, [a["request_id"] for a in
                                              listed["instanceActions"]]), (200, ["req-1"]))
        # /journal/v1 reads its writers' writes on the primary.
        status, body = request(port, "GET", base + "/actions/req-2")
        expect("journal read while paused", (status, [e["event"] for e in body["action"]["events"]]),
               (200, ["compute_reboot_instance"]))
        status, report = request(port, "GET", "/journal/v1/verify", token=ADMIN)
        expect("verify while paused", (status, report["verify"]["ok"]), (200, True))

        psql(standby, "SELECT pg_wal_replay_resume()")
        wait_for("req-2 on the standby", lambda: show(port, "req-2")[0] == 200)
        _, body = show(port, "req-2")
        events = [(e["event"], e["result"]) for e in body["instanceAction"]["events"]]
        expect("req-2's events", events, [("compute_reboot_instance", "Success")])
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    expect("server exit status", proc.returncode, 0)

    verify = subprocess.run([binary, "--db", standby, "verify"], capture_output=True, text=True,
                            timeout=60)
    expect("verify on the standby", verify.returncode, 0)
    write = subprocess.run(
        [binary, "--db", standby, "--user", "u", "--project", "p", "action", "start", INSTANCE,
         "req-3", "stop"], capture_output=True, text=True, timeout=60)
    expect("a write on the standby (exit code, stderr)", (write.returncode, write.stderr),
           (7, write.stderr))
    expect("req-3 on the primary", psql(
        primary, "SELECT count(*) FROM instance_actions WHERE request_id = 'req-3'"), "0")
    print("replica: reads from the standby, writes on the primary, verify passes")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print(f"replica: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
