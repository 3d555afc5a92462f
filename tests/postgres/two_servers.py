#!/usr/bin/env python3
"""Two `actionlog serve` processes on one PostgreSQL database.

Concurrent writers go through both servers, and finishes of the same event race through both
with equal and with different outcomes. Checks: every acknowledged write is there, exactly one
outcome wins each race, the losers got 409 and changed nothing, and `actionlog verify` passes.

    two_servers.py <actionlog binary> <postgresql:// URL of an empty database>

Bounded: 2 servers, 4 writer threads x 15 actions, 10 races x 8 finishers; a 10 s timeout per
request. Servers listen on 127.0.0.1 and are stopped (SIGTERM) before verify runs.
"""
import signal
import subprocess
import sys
import threading
import uuid

from serve_client import ADMIN, request, start_server

INSTANCE = str(uuid.uuid4())


def base(port_path):
    return f"/journal/v1/instances/{INSTANCE}{port_path}"


def record_action(ports, writer, index, failures):
    rid = f"req-{writer}-{index}-{uuid.uuid4()}"
    steps = [
        ("POST", "/actions", {"action": {"request_id": rid, "action": "reboot",
                                          "user_id": "u", "project_id": "p"}}, 201),
    ]
    for n in range(3):
        ev = f"compute_step_{n}"
        steps.append(("POST", f"/actions/{rid}/events", {"event": {"event": ev, "host": "c1"}}, 201))
        steps.append(("POST", f"/actions/{rid}/events/{ev}/finish", {"result": "Success"}, 200))
    steps.append(("POST", f"/actions/{rid}/finish", {}, 200))
    for i, (method, path, body, want) in enumerate(steps):
        status, _ = request(ports[(writer + i) % 2], method, base(path), body)
        if status != want:
            failures.append(f"{method} {path}: {status}, wanted {want}")
    return rid


def race(ports, round_no, results):
    rid = f"req-race-{round_no}-{uuid.uuid4()}"
    assert request(ports[0], "POST", base("/actions"),
                   {"action": {"request_id": rid, "action": "resize", "user_id": "u",
                               "project_id": "p"}})[0] == 201
    assert request(ports[1], "POST", base(f"/actions/{rid}/events"),
                   {"event": {"event": "compute_resize_instance"}})[0] == 201
    outcomes = []
    barrier = threading.Barrier(8)

    def finisher(k):
        result = "Error" if k % 2 else "Success"
        body = {"result": result}
        if result == "Error":
            body["details"] = "HypervisorError"
        barrier.wait()
        status, _ = request(ports[k % 2], "POST",
                            base(f"/actions/{rid}/events/compute_resize_instance/finish"), body)
        outcomes.append((result, status))

    threads = [threading.Thread(target=finisher, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.append((rid, outcomes))


def main():
    binary, url = sys.argv[1], sys.argv[2]
    servers = [start_server(binary, url) for _ in range(2)]
    ports = [port for _, port in servers]
    errors = []
    races = []
    try:
        status, _ = request(ports[0], "PUT", f"/journal/v1/instances/{INSTANCE}",
                            {"instance": {"project_id": "p", "user_id": "u", "host": "c1"}})
        assert status == 201, status
        failures = []
        rids = []
        writers = [threading.Thread(target=lambda w=w: rids.extend(
            record_action(ports, w, i, failures) for i in range(15))) for w in range(4)]
        for t in writers:
            t.start()
        for t in writers:
            t.join()
        errors += failures
        for r in range(10):
            race(ports, r, races)
        for rid, outcomes in races:
            status, body = request(ports[r % 2], "GET", base(f"/actions/{rid}"))
            event = body["action"]["events"][0] if status == 200 else None
            winner = event and event["result"]
            ok = [res for res, st in outcomes if st == 200]
            lost = [res for res, st in outcomes if st == 409]
            if len(ok) + len(lost) != 8 or set(ok) != {winner} or winner in lost:
                errors.append(f"{rid}: winner {winner}, outcomes {outcomes}")
            if (body["action"]["message"] == "Error") != (winner == "Error"):
                errors.append(f"{rid}: action message {body['action']['message']} vs {winner}")
        status, body = request(ports[1], "GET", f"/v2.1/servers/{INSTANCE}/os-instance-actions",
                               token=ADMIN)
        listed = len(body["instanceActions"]) if status == 200 else -1
        if listed != 60 + 10:
            errors.append(f"listed {listed} actions, wanted 70")
    finally:
        for proc, _ in servers:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in servers:
            if proc.wait(timeout=30) != 0:
                errors.append(f"server exited with {proc.returncode}")
    verify = subprocess.run([binary, "--db", url, "verify"], capture_output=True, text=True)
    if verify.returncode != 0:
        errors.append("verify failed: " + verify.stdout + verify.stderr)
    for e in errors:
        print("FAIL", e)
    conflicts = sum(st == 409 for _, outcomes in races for _, st in outcomes)
    print(f"two servers: 60 recorded actions, 10 races ({conflicts} losing finishes got 409); "
          f"{len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
