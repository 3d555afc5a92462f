#!/usr/bin/env python3
"""Crash consistency of `actionlog serve`: acknowledged writes survive, nothing is half-applied.

Writer threads record full actions through /journal/v1 (register instance, start action,
start/finish events, some failing with details and a traceback, finish action; complete
clones; identical replays and conflicting requests) and keep every acknowledged response. At a
random moment the harness interrupts the service, brings it back, runs `actionlog verify` and
reads back every action touched since the previous round through /journal/v1, comparing it with
what was acknowledged. Writes that got no answer ("in doubt") may or may not have been applied,
but only whole; after the check every client retries its in-doubt write, as a real client would,
and must get the idempotent answer. At the end every action is also read through Nova's API
(microversion 2.93, admin) and compared with the journal.

    crash_test.py --binary BIN --mode MODE [--rounds N] [--writers N] [--seed S] [--db-url URL]

Modes:
  sqlite-kill  SIGKILL of the service on a SQLite file database
  sqlite-term  SIGTERM of the service (graceful): exit code 0, every write that got no answer
               must not have been applied
  pg-kill      SIGKILL of the service on PostgreSQL (--db-url of an empty database)
  pg-db-kill   the PostgreSQL server itself is killed (SIGKILL of the postmaster or
               `pg_ctl stop -m immediate`, alternately) while the service runs: the service
               must stay up and answer 503 while the database is down, then recover. Needs
               ACTIONLOG_TEST_PG_DATA and ACTIONLOG_TEST_PG_BIN (scripts/with-postgres.sh).

Bounded: each round loads for 0.3-2.5 s, every request has a 30 s timeout, the service must
start within 30 s and stop within 20 s. Servers listen on 127.0.0.1 only. Exit status 0 when
every check held, 1 otherwise.
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid

ADMIN = "admin:admin-project:admin"
TIMEOUT = 30
TRACEBACK = ("Traceback (most recent call last):\n"
             "  File \"/usr/lib/python3/dist-packages/nova/compute/manager.py\", line 10467, in "
             "_error_out_instance_on_exception\n    yield\n"
             "nova.exception.ResizeError: Resize error: disk \u2260 flavor \u2013 no space\n")


class InDoubt(Exception):
    """The request got no HTTP answer (or 503): it may or may not have been applied."""


class Unexpected(Exception):
    """A definitive answer the step does not allow (already reported as a failure)."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def now_utc():
    return time.strftime("%H:%M:%S", time.gmtime())


class Client:
    """One keep-alive connection to the current service port."""

    def __init__(self, harness, token):
        self.harness = harness
        self.token = token
        self.conn = None
        self.port = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, method, path, body=None, headers=None):
        port = self.harness.port
        if self.conn is None or self.port != port:
            self.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            self.port = port
        hdrs = {"X-Auth-Token": self.token}
        hdrs.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=hdrs)
            resp = self.conn.getresponse()
            payload = resp.read()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            raise InDoubt(f"{type(e).__name__}: {e}") from None
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            doc = json.loads(payload) if payload else None
        except ValueError:
            doc = payload.decode(errors="replace")
        return resp.status, doc


class Gate:
    """Lets writers send requests only while open; close() + drain() quiesces them."""

    def __init__(self):
        self.cv = threading.Condition()
        self.is_open = False
        self.active = 0
        self.stopping = False

    def enter(self):
        with self.cv:
            while not self.is_open and not self.stopping:
                self.cv.wait()
            if self.stopping:
                return False
            self.active += 1
            return True

    def leave(self):
        with self.cv:
            self.active -= 1
            self.cv.notify_all()

    def open(self):
        with self.cv:
            self.is_open = True
            self.cv.notify_all()

    def close(self):
        with self.cv:
            self.is_open = False

    def stop(self):
        with self.cv:
            self.stopping = True
            self.cv.notify_all()

    def drain(self, timeout):
        with self.cv:
            return self.cv.wait_for(lambda: self.active == 0, timeout)


class ActionModel:
    """What the client knows about one action: acknowledged bodies and in-doubt steps."""

    def __init__(self, uuid_, rid, writer, request):
        self.uuid = uuid_
        self.rid = rid
        self.writer = writer
        self.request = request  # the start (or clone) body sent
        self.clone = "events" in request["action"]
        self.ack = None  # last acknowledged action body (start, replay, finish or clone)
        self.finished = False  # the finish (or a finished clone) was acknowledged
        self.events = {}  # name -> {"ack": body or None, "finished": bool, "finish_req": body}
        self.doubt = {}  # step key -> description; keys: start, finish, ("event", n), ("finish", n)
        self.ever_doubt = set()  # step keys that were in doubt at some point
        self.applied_doubt = 0

    def path(self):
        return f"/journal/v1/instances/{self.uuid}/actions/{self.rid}"


class Harness:
    def __init__(self, args):
        self.args = args
        self.binary = args.binary
        self.rng = random.Random(args.seed)
        self.gate = Gate()
        self.lock = threading.Lock()
        self.port = None
        self.proc = None
        self.workdir = tempfile.mkdtemp(prefix="actionlog-crash-")
        if args.db_url:
            self.db_url = args.db_url
        else:
            self.db_url = f"sqlite:///{self.workdir}/journal.db"
        self.log_path = os.path.join(self.workdir, "serve.log")
        self.actions = []  # every ActionModel
        self.touched = set()  # ActionModels touched since the last check
        self.instances = {}  # uuid -> {"ack": body, "doubt": bool, "writer": w}
        self.failures = []
        self.stats = {"acked": 0, "in_doubt": 0, "doubt_applied": 0, "doubt_not_applied": 0,
                      "conflicts_409": 0, "replays": 0, "clones": 0, "status_503": 0,
                      "rounds": 0, "verify_entries": 0, "checked_actions": 0,
                      "kills": 0, "terms": 0, "db_kills": 0, "max_stop_s": 0.0,
                      "answered_after_term": 0}
        self.stop_flag = False
        self.counting = True  # the final check does not count in-doubt writes again
        self.tampered = None
        self.racer_instance = None
        self.term_sent = None  # set while a SIGTERM stop is under way
        self.verify_failed = False

    # -- bookkeeping -------------------------------------------------------------------------

    def fail(self, message):
        if "actionlog verify" in message or ": verify: " in message:
            self.verify_failed = True
        with self.lock:
            self.failures.append(message)
        print("FAIL", message, flush=True)

    def count(self, key, n=1):
        with self.lock:
            if self.counting or not key.startswith("doubt_"):
                self.stats[key] += n

    # -- the service -------------------------------------------------------------------------

    def start_service(self):
        self.port = free_port()
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "--db", self.db_url, "serve", "--listen", f"127.0.0.1:{self.port}",
             "--auth", "noauth", "--access-log", "none"],
            stdout=log, stderr=log)
        log.close()
        probe = Client(self, ADMIN)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"actionlog serve exited with {self.proc.returncode} at start; "
                                 f"log:\n{self.tail_log()}")
            try:
                if probe.call("GET", "/v2.1")[0] == 200:
                    probe.close()
                    return
            except InDoubt:
                pass
            time.sleep(0.05)
        self.proc.kill()
        raise SystemExit("actionlog serve did not start within 30 s")

    def stop_service(self, sig, after_signal=None):
        started = time.time()
        if sig == signal.SIGTERM:
            self.term_sent = started
        self.proc.send_signal(sig)
        if after_signal is not None:
            after_signal()
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.fail(f"service did not exit within 20 s of signal {sig}")
            self.proc.kill()
            rc = self.proc.wait()
        self.term_sent = None
        elapsed = time.time() - started
        with self.lock:
            self.stats["max_stop_s"] = max(self.stats["max_stop_s"], elapsed)
        return rc

    def tail_log(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""

    def verify(self, label):
        run = subprocess.run([self.binary, "--db", self.db_url, "-f", "json", "verify"],
                             capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            self.fail(f"{label}: actionlog verify exited {run.returncode}: "
                      f"{run.stdout.strip()} {run.stderr.strip()}")
            return
        doc = json.loads(run.stdout)
        if not doc.get("ok"):
            self.fail(f"{label}: verify: {doc}")
        with self.lock:
            self.stats["verify_entries"] = doc.get("entries_checked", 0)

    # -- writers -----------------------------------------------------------------------------

    def send(self, client, method, path, body, accept):
        """Sends one request; returns (status, body), ("doubt", None) or (None, None).

        ("doubt", None) means no definitive answer (connection failure or 503): the write may
        or may not have been applied. (None, None) means the harness is stopping. A definitive
        status outside `accept` is a failure.
        """
        if not self.gate.enter():
            return None, None
        try:
            status, doc = client.call(method, path, body)
        except InDoubt as e:
            status, doc = None, None
            if self.args.mode == "pg-db-kill":  # the service itself never goes away here
                self.fail(f"{method} {path}: no answer from the service: {e}")
        finally:
            self.gate.leave()
        if status is None or status == 503:
            if status == 503:
                self.count("status_503")
            time.sleep(0.05 if status == 503 else 0.02)
            return "doubt", None
        if status not in accept:
            self.fail(f"{method} {path}: status {status}, wanted {sorted(accept)}: {doc}")
            raise Unexpected()
        self.count("acked")
        if self.term_sent is not None:
            self.count("answered_after_term")
        return status, doc

    def step(self, client, model, key, method, path, body, accept):
        """Sends a write step; marks it in doubt while it has no answer, then retries it."""
        while not self.stop_flag:
            status, doc = self.send(client, method, path, body, accept)
            if status is None:
                return None, None
            if status == "doubt":
                with self.lock:
                    if model is not None and key not in model.doubt:
                        model.doubt[key] = f"{method} {path}"
                        model.ever_doubt.add(key)
                        self.stats["in_doubt"] += 1
                        self.touched.add(model)
                continue
            with self.lock:
                if model is not None:
                    model.doubt.pop(key, None)
            return status, doc
        return None, None

    def writer(self, w):
        rng = random.Random(self.args.seed * 1000 + w)
        token = f"writer{w}:project-{w}:service" if w % 2 else f"writer{w}:project-{w}:admin"
        client = Client(self, token)
        instance = None
        per_instance = 0
        n = 0
        try:
            while not self.stop_flag:
                if instance is None or per_instance >= 40:
                    instance = self.register_instance(client, w, rng)
                    per_instance = 0
                    if instance is None:
                        break
                elif rng.random() < 0.1:
                    self.update_instance(client, instance, rng)
                per_instance += 1
                n += 1
                try:
                    if rng.random() < 0.15:
                        self.record_clone(client, w, instance, n, rng)
                    else:
                        self.record_action(client, w, instance, n, rng)
                except Unexpected:
                    continue
        except Exception:  # noqa: BLE001 - a harness bug must fail the test, not hang it
            self.fail(f"writer {w} crashed:\n{traceback.format_exc()}")
        finally:
            client.close()

    def register_instance(self, client, w, rng):
        u = str(uuid.uuid4())
        entry = {"ack": None, "doubt": False, "writer": w}
        with self.lock:
            self.instances[u] = entry
        body = {"instance": {"project_id": f"project-{w}", "user_id": f"writer{w}",
                             "host": f"compute-{rng.randrange(8)}",
                             "display_name": f"vm-{w}-{u[:8]}"}}
        status, doc = self.instance_step(client, u, entry, body, {200, 201})
        return u if status is not None else None

    def update_instance(self, client, u, rng):
        entry = self.instances[u]
        body = {"instance": {"project_id": f"project-{entry['writer']}",
                             "user_id": f"writer{entry['writer']}",
                             "host": f"compute-{rng.randrange(8)}",
                             "display_name": entry["ack"]["display_name"] if entry["ack"] else None}}
        self.instance_step(client, u, entry, body, {200})

    def instance_step(self, client, u, entry, body, accept):
        while not self.stop_flag:
            status, doc = self.send(client, "PUT", f"/journal/v1/instances/{u}", body,
                                       accept | {200, 201})
            if status is None:
                return None, None
            if status == "doubt":
                with self.lock:
                    if not entry["doubt"]:
                        self.stats["in_doubt"] += 1
                    entry["doubt"] = True
                continue
            with self.lock:
                entry["doubt"] = False
                if status in (200, 201):
                    entry["ack"] = doc["instance"]
            return status, doc
        return None, None

    def new_model(self, w, u, rid, request):
        model = ActionModel(u, rid, w, request)
        with self.lock:
            self.actions.append(model)
            self.touched.add(model)
        return model

    def acked_action(self, model, doc, finished=False):
        with self.lock:
            model.ack = doc["action"]
            if finished:
                model.finished = True
            self.touched.add(model)

    def record_action(self, client, w, u, n, rng):
        rid = f"req-{uuid.uuid4()}"
        request = {"action": {"request_id": rid, "action": rng.choice(
            ["reboot", "resize", "migrate", "stop", "start", "rebuild"]),
            "user_id": f"writer{w}", "project_id": f"project-{w}"}}
        model = self.new_model(w, u, rid, request)
        base = f"/journal/v1/instances/{u}/actions"
        status, doc = self.step(client, model, "start", "POST", base, request, {200, 201})
        if status is None:
            return
        self.acked_action(model, doc)
        if rng.random() < 0.2:  # identical replay: 200, the same record
            status, again = self.step(client, model, "start", "POST", base, request, {200})
            self.count("replays")
            if status == 200 and again != doc:
                self.fail(f"{rid}: replayed start answered {again}, first answer {doc}")
        if rng.random() < 0.2:  # same request id, other content: 409, nothing changed
            other = {"action": dict(request["action"], action="shelve")}
            status, _ = self.step(client, None, None, "POST", base, other, {409})
            self.count("conflicts_409")
        for e in range(rng.randint(1, 3)):
            name = f"compute_step_{e}"
            ev = {"ack": None, "finished": False, "finish_req": None}
            with self.lock:
                model.events[name] = ev
            status, doc = self.step(client, model, ("event", name), "POST",
                                    f"{model.path()}/events",
                                    {"event": {"event": name, "host": f"compute-{w}"}},
                                    {201, 409})
            if status is None:
                return
            if status == 409:  # an in-doubt start that was applied: the name is open
                if ("event", name) not in model.ever_doubt:
                    self.fail(f"{rid}: first start of event {name} refused: {doc}")
                    return
                status, doc = self.step(client, None, None, "GET", model.path(), None, {200})
                if status is None:
                    return
                found = [x for x in doc["action"]["events"] if x["event"] == name]
                if not found or found[0]["finish_time"] is not None:
                    self.fail(f"{rid}: event {name} refused as open but not open: {doc}")
                    return
                doc = {"event": found[0]}
            with self.lock:
                ev["ack"] = doc["event"]
            if rng.random() < 0.3:
                fin = {"result": "Error", "details": f"ResizeError: no space on compute-{w}",
                       "traceback": TRACEBACK}
                if rng.random() < 0.1:  # a long traceback: bigger rows and change-log entries
                    fin["traceback"] = (TRACEBACK * 200)[:60000]
            else:
                fin = {"result": "Success"}
            ev["finish_req"] = fin
            status, doc = self.step(client, model, ("finish", name), "POST",
                                    f"{model.path()}/events/{name}/finish", fin, {200})
            if status is None:
                return
            with self.lock:
                ev["ack"] = doc["event"]
                ev["finished"] = True
            if rng.random() < 0.15:  # same outcome again: 200, unchanged
                status, again = self.step(client, None, None, "POST",
                                          f"{model.path()}/events/{name}/finish", fin, {200})
                self.count("replays")
                if status == 200 and again != doc:
                    self.fail(f"{rid}/{name}: replayed finish answered {again}, first {doc}")
            if rng.random() < 0.15:  # other outcome: 409, nothing changed
                other = {"result": "Success"} if fin["result"] == "Error" else {
                    "result": "Error", "details": "late"}
                self.step(client, None, None, "POST", f"{model.path()}/events/{name}/finish",
                          other, {409})
                self.count("conflicts_409")
        status, doc = self.step(client, model, "finish", "POST", f"{model.path()}/finish", {},
                                {200})
        if status is None:
            return
        self.acked_action(model, doc, finished=True)
        if rng.random() < 0.1:  # no event on a finished action
            self.step(client, None, None, "POST", f"{model.path()}/events",
                      {"event": {"event": "late_step"}}, {409})
            self.count("conflicts_409")

    def record_clone(self, client, w, u, n, rng):
        rid = f"req-{uuid.uuid4()}"
        t0 = time.time() - rng.randrange(86400 * 30)

        def ts(offset):
            t = t0 + offset
            return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1e6) % 1000000:06d}"

        events = []
        failed = False
        for e in range(rng.randint(1, 6)):
            ev = {"event": f"compute_clone_step_{e}", "start_time": ts(e * 2 + 1),
                  "finish_time": ts(e * 2 + 2), "host": f"compute-{w}", "result": "Success"}
            if rng.random() < 0.25:
                ev.update(result="Error", details="MigrationError: target unreachable",
                          traceback=TRACEBACK if rng.random() < 0.9 else
                          (TRACEBACK * 200)[:60000])
                failed = True
            events.append(ev)
        body = {"action": {"action": "live-migration", "user_id": f"writer{w}",
                           "project_id": f"project-{w}", "start_time": ts(0),
                           "finish_time": ts(20), "message": "Error" if failed else None,
                           "events": events}}
        if body["action"]["message"] is None:
            del body["action"]["message"]
        model = self.new_model(w, u, rid, body)
        self.count("clones")
        status, doc = self.step(client, model, "clone", "PUT", model.path(), body, {200, 201})
        if status is None:
            return
        with self.lock:
            model.ack = doc["action"]
            model.finished = True
        if rng.random() < 0.2:
            status, again = self.step(client, model, "clone", "PUT", model.path(), body, {200})
            self.count("replays")
            if status == 200 and again != doc:
                self.fail(f"{rid}: replayed clone answered {again}, first {doc}")

    # -- checks ------------------------------------------------------------------------------

    def check_instances(self, client, label, strict_doubt):
        for u, entry in list(self.instances.items()):
            status, doc = client.call("GET", f"/journal/v1/instances/{u}")
            ack = entry["ack"]
            if entry["doubt"]:
                applied = status == 200 and (ack is None or
                                             doc["instance"]["version"] > ack["version"])
                self.count("doubt_applied" if applied else "doubt_not_applied")
            if ack is None:
                if status == 200 and strict_doubt:
                    self.fail(f"{label}: instance {u} registered without an answer (graceful)")
                continue
            if status != 200:
                self.fail(f"{label}: acknowledged instance {u}: GET {status} {doc}")
                continue
            stored = doc["instance"]
            if entry["doubt"] and not strict_doubt:
                if stored["version"] < ack["version"] or stored["created_at"] != ack["created_at"]:
                    self.fail(f"{label}: instance {u} went back: {stored} vs acked {ack}")
            elif stored != ack:
                self.fail(f"{label}: instance {u} is {stored}, acknowledged {ack}")

    def check_action(self, client, model, label, strict_doubt):
        """Compares the stored action with what was acknowledged; returns the stored record."""
        status, doc = client.call("GET", model.path())
        where = f"{label}: {model.rid}"
        with self.lock:
            ack, doubt, finished = model.ack, dict(model.doubt), model.finished
            events = {k: dict(v) for k, v in model.events.items()}
        if ack is None:
            if status == 404:
                if doubt:
                    self.count("doubt_not_applied")
                return None
            if status != 200:
                self.fail(f"{where}: GET {status} {doc}")
                return None
            if not doubt:
                self.fail(f"{where}: stored although never sent: {doc}")
                return None
            stored = doc["action"]
            if strict_doubt:
                self.fail(f"{where}: stored without an answer (graceful stop): {stored}")
            self.count("doubt_applied")
            self.check_unacked_action(model, stored, where)
            self.check_invariants(stored, where)
            return stored
        if status != 200:
            self.fail(f"{where}: acknowledged action missing: GET {status} {doc}")
            return None
        stored = doc["action"]
        stored_events = stored.pop("events")
        self.check_invariants(dict(stored, events=stored_events), where)
        if model.clone:
            if "clone" in doubt and not strict_doubt:
                pass  # a replayed clone in doubt: the record must still equal the first answer
            want_events = ack.get("events")
            if stored != {k: v for k, v in ack.items() if k != "events"} or \
                    stored_events != want_events:
                self.fail(f"{where}: clone is {stored} {stored_events}, acknowledged {ack}")
            return stored
        for key in ("id", "instance_uuid", "request_id", "action", "user_id", "project_id",
                    "start_time", "created_at"):
            if stored[key] != ack[key]:
                self.fail(f"{where}: {key} is {stored[key]!r}, acknowledged {ack[key]!r}")
        if stored["version"] < ack["version"] or (stored["updated_at"] or "") < (
                ack["updated_at"] or ""):
            self.fail(f"{where}: went back: {stored}, acknowledged {ack}")
        if finished:
            if stored != ack:
                self.fail(f"{where}: finished action is {stored}, acknowledged {ack}")
        elif stored["finish_time"] is not None:
            if "finish" not in doubt:
                self.fail(f"{where}: finished without a finish request: {stored}")
            elif strict_doubt:
                self.fail(f"{where}: finish applied without an answer (graceful stop)")
            else:
                self.count("doubt_applied")
        elif "finish" in doubt:
            self.count("doubt_not_applied")
        by_name = {e["event"]: e for e in stored_events}
        for name, e in by_name.items():
            ev = events.get(name)
            if ev is None:
                self.fail(f"{where}: event {name} stored but never sent: {e}")
                continue
            if ev["ack"] is None:
                if ("event", name) not in doubt:
                    self.fail(f"{where}: event {name} stored without a request: {e}")
                elif strict_doubt:
                    self.fail(f"{where}: event {name} started without an answer (graceful)")
                else:
                    self.count("doubt_applied")
                if e["finish_time"] is not None:
                    self.fail(f"{where}: event {name} finished before its start was answered")
                continue
            a = ev["ack"]
            for key in ("id", "event", "start_time", "host", "created_at"):
                if e[key] != a[key]:
                    self.fail(f"{where}: event {name} {key} is {e[key]!r}, acknowledged {a[key]!r}")
            if ev["finished"]:
                if e != a:
                    self.fail(f"{where}: event {name} is {e}, acknowledged {a}")
            elif e["finish_time"] is not None:
                if ("finish", name) not in doubt:
                    self.fail(f"{where}: event {name} finished without a finish request: {e}")
                elif strict_doubt:
                    self.fail(f"{where}: event {name} finish applied without an answer")
                else:
                    self.count("doubt_applied")
                    req = ev["finish_req"]
                    if e["result"] != req["result"] or e["details"] != req.get("details") or \
                            e["traceback"] != req.get("traceback"):
                        self.fail(f"{where}: event {name} finished as {e}, requested {req}")
            elif ("finish", name) in doubt:
                self.count("doubt_not_applied")
        for name, ev in events.items():
            if ev["ack"] is not None and name not in by_name:
                self.fail(f"{where}: acknowledged event {name} missing")
            elif ev["ack"] is None and name not in by_name and ("event", name) in doubt:
                self.count("doubt_not_applied")
        return stored

    def check_unacked_action(self, model, stored, where):
        """An action whose start (or clone) got no answer: all of it as requested, or nothing."""
        req = model.request["action"]
        for key in ("action", "user_id", "project_id"):
            if stored[key] != req[key]:
                self.fail(f"{where}: unacknowledged {key} {stored[key]!r}, requested {req[key]!r}")
        if model.clone:
            want = req["events"]
            got = stored["events"]
            if len(got) != len(want):
                self.fail(f"{where}: clone half-applied: {len(got)} of {len(want)} events")
                return
            for g, w in zip(sorted(got, key=lambda e: e["event"]), want):
                for key in ("event", "start_time", "finish_time", "result", "host"):
                    if g[key] != w.get(key):
                        self.fail(f"{where}: cloned event {w['event']} {key} {g[key]!r}, "
                                  f"requested {w.get(key)!r}")
        elif stored["events"]:
            self.fail(f"{where}: events stored on an action whose start was never answered")

    def check_invariants(self, stored, where):
        errors = [e for e in stored["events"] if e["result"] == "Error"]
        if errors and stored["message"] != "Error":
            self.fail(f"{where}: event finished with Error but action message "
                      f"{stored['message']!r}")
        if not errors and stored["message"] == "Error":
            self.fail(f"{where}: action message Error without a failed event")
        for e in stored["events"]:
            if (e["finish_time"] is None) != (e["result"] is None):
                self.fail(f"{where}: event {e['event']} half-finished: {e}")

    def check_round(self, label, strict_doubt=False, everything=False):
        client = Client(self, ADMIN)
        with self.lock:
            models = list(self.actions) if everything else list(self.touched)
            self.touched = set()
        for model in models:
            self.check_action(client, model, label, strict_doubt)
        self.check_instances(client, label, strict_doubt)
        client.close()
        self.count("checked_actions", len(models))

    def check_nova_view(self):
        """Every action through Nova's API (2.93, admin) agrees with the journal."""
        client = Client(self, ADMIN)
        hdrs = {"OpenStack-API-Version": "compute 2.93"}
        journal = {}
        for model in self.actions:
            status, doc = client.call("GET", model.path())
            if status == 200:
                journal.setdefault(model.uuid, {})[model.rid] = doc["action"]
        for u in self.instances:
            status, doc = client.call("GET", f"/v2.1/servers/{u}/os-instance-actions?limit=1000",
                                      headers=hdrs)
            want = journal.get(u, {})
            if status != 200:
                if want:
                    self.fail(f"nova list {u}: {status} {doc}")
                continue
            listed = {a["request_id"]: a for a in doc["instanceActions"]}
            if set(listed) != set(want):
                self.fail(f"nova list {u}: {sorted(listed)} != journal {sorted(want)}")
            for rid, j in want.items():
                status, doc = client.call(
                    "GET", f"/v2.1/servers/{u}/os-instance-actions/{rid}", headers=hdrs)
                if status != 200:
                    self.fail(f"nova show {rid}: {status} {doc}")
                    continue
                n = doc["instanceAction"]
                for key in ("action", "request_id", "user_id", "project_id", "start_time",
                            "message", "updated_at"):
                    if n[key] != j[key]:
                        self.fail(f"nova show {rid}: {key} {n[key]!r}, journal {j[key]!r}")
                ne = sorted((e["event"], e["start_time"], e["finish_time"], e["result"],
                             e["traceback"], e["host"], e["details"]) for e in n["events"])
                je = sorted((e["event"], e["start_time"], e["finish_time"], e["result"],
                             e["traceback"], e["host"], e["details"]) for e in j["events"])
                if ne != je:
                    self.fail(f"nova show {rid}: events {ne} != journal {je}")
        client.close()

    # -- PostgreSQL server control (pg-db-kill) -----------------------------------------------

    def pg_cmd(self, *argv):
        run_as = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        return run_as + list(argv)

    def pg_kill(self, round_no):
        data = os.environ["ACTIONLOG_TEST_PG_DATA"]
        pg_bin = os.environ["ACTIONLOG_TEST_PG_BIN"]
        if round_no % 2:
            with open(os.path.join(data, "postmaster.pid")) as f:
                pid = int(f.readline())
            os.kill(pid, signal.SIGKILL)
            how = "SIGKILL postmaster"
        else:
            subprocess.run(self.pg_cmd(f"{pg_bin}/pg_ctl", "-D", data, "-m", "immediate", "-w",
                                       "stop"), check=True, capture_output=True)
            how = "pg_ctl stop -m immediate"
        self.count("db_kills")
        return how

    def pg_start(self):
        data = os.environ["ACTIONLOG_TEST_PG_DATA"]
        pg_bin = os.environ["ACTIONLOG_TEST_PG_BIN"]
        sock, port = os.environ["PGHOST"], os.environ["PGPORT"]
        log = os.path.join(os.path.dirname(data), "server.log")
        deadline = time.time() + 60
        while True:
            run = subprocess.run(self.pg_cmd(
                f"{pg_bin}/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o",
                f"-c listen_addresses='' -c unix_socket_directories='{sock}' -c port={port} "
                f"-c max_connections=200", "start"), capture_output=True, text=True)
            if run.returncode == 0:
                return
            if time.time() > deadline:
                raise SystemExit(f"PostgreSQL did not restart: {run.stdout} {run.stderr}")
            time.sleep(0.5)  # backends of a SIGKILLed postmaster may still hold shared memory

    def tamper(self):
        """Self-test: damages the database while the service is down, as a lost or half-applied
        write would; the checks of this round must notice."""
        import sqlite3
        with self.lock:
            done = [m for m in self.actions if m.finished and not m.clone and
                    sum(1 for e in m.events.values() if e["finished"]) >= 2]
        if not done:
            raise SystemExit("tamper: no finished action with two events yet")
        model = done[-1]
        first, second = [e["ack"] for e in model.events.values() if e["finished"]][:2]
        db = sqlite3.connect(self.db_url[len("sqlite:///"):])
        db.execute("DELETE FROM instance_actions_events WHERE id = ?", (first["id"],))
        db.execute("UPDATE instance_actions_events SET result = 'Error' WHERE id = ?",
                   (second["id"],))
        db.execute("UPDATE instance_actions SET message = NULL WHERE id = ?", (model.ack["id"],))
        db.commit()
        db.close()
        self.tampered = model.rid
        print(f"tamper: deleted event {first['id']} and made event {second['id']} fail without "
              f"its action {model.rid}", flush=True)

    # -- rounds ------------------------------------------------------------------------------

    def run(self):
        mode = self.args.mode
        self.start_service()
        threads = [threading.Thread(target=self.writer, args=(w,), daemon=True)
                   for w in range(self.args.writers)]
        self.gate.open()
        for t in threads:
            t.start()
        try:
            for r in range(1, self.args.rounds + 1):
                time.sleep(self.rng.uniform(0.3, 2.5))
                if mode == "pg-db-kill":
                    self.db_round(r)
                else:
                    self.service_round(r, mode)
                with self.lock:
                    self.stats["rounds"] = r
                if self.failures and not self.args.keep_going:
                    break
            time.sleep(0.5)  # the writers retry what the last round left in doubt
        finally:
            self.stop_flag = True
            self.gate.stop()
            for t in threads:
                t.join(timeout=TIMEOUT + 5)
        if not self.failures:
            self.counting = False
            self.check_round("final", everything=True)
            self.check_nova_view()
        rc = self.stop_service(signal.SIGTERM)
        if rc != 0:
            self.fail(f"final SIGTERM: exit code {rc}")
        self.verify("final")

    def service_round(self, r, mode):
        graceful = mode == "sqlite-term"
        idle = []
        if not graceful:
            self.gate.close()  # writers already in flight keep going; nothing new starts
        else:
            # Connections that sent nothing or half a header must not hold the stop up.
            for partial in (b"", b"", b"GET /v2.1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"):
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT)
                sock.sendall(partial)
                idle.append(sock)
            time.sleep(0.05)
        go = threading.Event()
        racers = [threading.Thread(target=self.racer, args=(go,), daemon=True)
                  for _ in range(4 if graceful else 0)]
        for t in racers:
            t.start()
        if racers:
            time.sleep(0.05)  # the racers' keep-alive connections are open and idle
        started = time.time()
        rc = self.stop_service(signal.SIGTERM if graceful else signal.SIGKILL, go.set)
        for t in racers:
            t.join(timeout=TIMEOUT + 5)
        if graceful:
            self.count("terms")
            self.gate.close()
            if rc != 0:
                self.fail(f"round {r}: SIGTERM exit code {rc}; log:\n{self.tail_log()}")
            if time.time() - started > 5:
                self.fail(f"round {r}: SIGTERM took {time.time() - started:.1f} s with idle "
                          f"connections open")
            for sock in idle:
                try:
                    if sock.recv(1024):
                        self.fail(f"round {r}: an idle connection got data at stop")
                except OSError:
                    pass  # reset: closed as well
                sock.close()
        else:
            self.count("kills")
            if rc != -signal.SIGKILL:
                self.fail(f"round {r}: SIGKILL exit code {rc}")
        if not self.gate.drain(TIMEOUT + 5):
            self.fail(f"round {r}: writers did not finish their requests")
        if self.args.tamper and r == 1:
            self.tamper()
        self.start_service()
        self.verify(f"round {r}")
        self.check_round(f"round {r}", strict_doubt=graceful)
        print(f"{now_utc()} round {r}: {self.progress()}", flush=True)
        self.gate.open()

    def racer(self, go):
        """Sends one write on an idle keep-alive connection right after the SIGTERM: it must be
        answered, or else not applied."""
        client = Client(self, f"racer:project-racer:service")
        try:
            with self.lock:
                u = self.racer_instance
            if u is None:
                u = str(uuid.uuid4())
                status, doc = client.call("PUT", f"/journal/v1/instances/{u}",
                                          {"instance": {"project_id": "project-racer"}})
                if status != 201:
                    self.fail(f"racer instance: {status} {doc}")
                    return
                with self.lock:
                    self.racer_instance = u
            elif client.call("GET", "/v2.1")[0] != 200:
                return
            rid = f"req-{uuid.uuid4()}"
            request = {"action": {"request_id": rid, "action": "stop", "user_id": "racer",
                                  "project_id": "project-racer"}}
            model = self.new_model(-1, u, rid, request)
            go.wait(TIMEOUT)
            try:
                status, doc = client.call("POST", f"/journal/v1/instances/{u}/actions", request)
            except InDoubt as e:
                with self.lock:
                    model.doubt["start"] = f"racer: {e}"
                    self.stats["in_doubt"] += 1
                return
            if status == 201:
                self.acked_action(model, doc)
                self.count("answered_after_term")
            else:
                self.fail(f"racer start {rid}: {status} {doc}")
        except InDoubt:
            pass  # the connection was refused or closed before the signal: nothing to check
        finally:
            client.close()

    def db_round(self, r):
        how = self.pg_kill(r)
        # The database is down; the writers keep sending. Probe reads meanwhile.
        probe = Client(self, ADMIN)
        down_until = time.time() + 1.5
        probes = 0
        with self.lock:
            some = self.actions[-1] if self.actions else None
        paths = ["/journal/v1/verify"]
        if some is not None:
            paths += [some.path(), f"/v2.1/servers/{some.uuid}/os-instance-actions",
                      f"/v2.1/servers/{some.uuid}/os-instance-actions/{some.rid}"]
        while time.time() < down_until:
            path = paths[probes % len(paths)]
            try:
                status, doc = probe.call("GET", path,
                                         headers={"OpenStack-API-Version": "compute 2.93"})
            except InDoubt as e:
                self.fail(f"round {r} ({how}): service unreachable while the database is down: "
                          f"{e}")
                break
            probes += 1
            if status != 503:
                self.fail(f"round {r} ({how}): GET {path} with the database down answered "
                          f"{status} {doc}")
            time.sleep(0.1)
        if self.proc.poll() is not None:
            self.fail(f"round {r}: service exited ({self.proc.returncode}) with the database "
                      f"down; log:\n{self.tail_log()}")
            self.start_service()
        self.pg_start()
        deadline = time.time() + 60
        while True:
            try:
                status, _ = probe.call("GET", "/journal/v1/verify")
            except InDoubt as e:
                status = str(e)
            if status == 200:
                break
            if time.time() > deadline:
                self.fail(f"round {r}: service did not recover after the database restart "
                          f"(last answer {status})")
                break
            time.sleep(0.2)
        probe.close()
        time.sleep(0.5)  # let the writers make progress on the recovered database
        self.gate.close()
        if not self.gate.drain(TIMEOUT + 5):
            self.fail(f"round {r}: writers did not finish their requests")
        self.verify(f"round {r}")
        self.check_round(f"round {r}")
        print(f"{now_utc()} round {r} ({how}, {probes} probes answered 503): {self.progress()}",
              flush=True)
        self.gate.open()

    def progress(self):
        with self.lock:
            s = dict(self.stats)
        return (f"acked {s['acked']}, in doubt {s['in_doubt']} (applied {s['doubt_applied']}, "
                f"not applied {s['doubt_not_applied']}), 503 {s['status_503']}, "
                f"actions {len(self.actions)}, change log {s['verify_entries']}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--mode", required=True,
                   choices=["sqlite-kill", "sqlite-term", "pg-kill", "pg-db-kill"])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--writers", type=int, default=6)
    p.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    p.add_argument("--db-url", default="")
    p.add_argument("--keep-going", action="store_true", help="do not stop at the first failure")
    p.add_argument("--tamper", action="store_true",
                   help="self-test (sqlite-kill): damage the database after the first kill and "
                        "succeed only if verify and the checks notice")
    args = p.parse_args()
    if args.tamper and args.mode != "sqlite-kill":
        p.error("--tamper needs --mode sqlite-kill")
    if args.mode.startswith("pg") and not args.db_url:
        p.error("--db-url is required for the PostgreSQL modes")
    if args.mode == "pg-db-kill" and not (os.environ.get("ACTIONLOG_TEST_PG_DATA") and
                                          os.environ.get("ACTIONLOG_TEST_PG_BIN")):
        print("ACTIONLOG_TEST_PG_DATA/ACTIONLOG_TEST_PG_BIN not set: skipped")
        return 77
    h = Harness(args)
    print(f"crash {args.mode}: seed {args.seed}, {args.rounds} rounds, {args.writers} writers, "
          f"database {h.db_url}", flush=True)
    started = time.time()
    try:
        h.run()
    finally:
        if h.proc is not None and h.proc.poll() is None:
            h.proc.kill()
            h.proc.wait()
    s = h.stats
    print(f"crash {args.mode}: {s['rounds']} rounds ({s['kills']} SIGKILL, {s['terms']} SIGTERM, "
          f"{s['db_kills']} database kills) in {time.time() - started:.0f} s; "
          f"{s['acked']} answered writes, {len(h.actions)} actions ({s['clones']} clones), "
          f"{s['replays']} replays, {s['conflicts_409']} conflicting requests; "
          f"{s['in_doubt']} writes in doubt ({s['doubt_applied']} found applied whole, "
          f"{s['doubt_not_applied']} not applied), {s['status_503']} answers 503; "
          f"{s['checked_actions']} action checks; change log {s['verify_entries']} entries, "
          f"verify {'FAILED' if h.verify_failed else 'ok'} after every restart; "
          f"{s['answered_after_term']} answers after a SIGTERM; slowest stop "
          f"{s['max_stop_s']:.2f} s; {len(h.failures)} problems",
          flush=True)
    if args.tamper:
        wanted = {"verify": "actionlog verify",
                  "missing": f"{h.tampered}: acknowledged event",
                  "half-applied": f"{h.tampered}: event finished with Error but action message"}
        missed = [k for k, text in wanted.items() if not any(text in f for f in h.failures)]
        print(f"tamper self-test: {'missed ' + ', '.join(missed) if missed else 'all detected'}")
        shutil.rmtree(h.workdir, ignore_errors=True)
        return 1 if missed or not h.tampered else 0
    if h.failures:
        print(f"seed {args.seed}; service log tail:\n{h.tail_log()}")
        return 1
    shutil.rmtree(h.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
