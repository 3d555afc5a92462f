#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets under fuzz/corpus/<target>/.

Requests are derived from the Nova golden cases (tests/acceptance/golden/cases.jsonl.gz) and the
examples of docs/http-api.md; Nova rows from the golden Nova database
(tests/acceptance/golden/nova-db.sqlite). Re-running it rewrites the generated seeds (files named
seed-*); inputs kept from fuzzing runs (other names) are left alone.

    python3 fuzz/seeds.py
"""
import gzip
import hashlib
import json
import pathlib
import re
import sqlite3

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"

SERVER_A = "11111111-2222-4333-8444-555555555555"
REQUEST_A = "req-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
SERVER_B = "22222222-3333-4444-8555-666666666666"
REQUEST_B = "req-bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"
PROJECT_A = "0a0a0a0a"
PROJECT_B = "0b0b0b0b"
ADMIN = "root:adminproj:admin,member,reader"
MEMBER_A = "alice:%s:member,reader" % PROJECT_A
READER_A = "dave:%s:reader" % PROJECT_A
MEMBER_B = "carol:%s:member,reader" % PROJECT_B
SERVICE = "nova:service:service"


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    (d / ("seed-" + name)).write_bytes(data)


def request(method, target, headers=(), body=None):
    lines = ["%s %s" % (method, target)] + ["%s: %s" % h for h in headers]
    text = "\n".join(lines) + "\n\n"
    if body is not None:
        text += body
    return text


def http_request_seeds():
    with gzip.open(ROOT / "tests/acceptance/golden/cases.jsonl.gz", "rt", encoding="utf-8") as f:
        cases = [json.loads(line) for line in f]
    seen = set()
    n = 0
    for case in cases:
        req = case["request"]
        auth = req.get("auth") or {}
        roles = auth.get("roles") or []
        mv = req["headers"].get("OpenStack-API-Version", "")
        kind = case["tags"][0].split("-")[0]
        key = (kind, req["method"], mv, req["query"].split("=")[0], "admin" in roles)
        if key in seen or n >= 80:
            continue
        seen.add(key)
        # The golden ids become the seeded ones: the first server of a path is server A.
        path = re.sub(r"/servers/[0-9a-f-]{36}", "/servers/" + SERVER_A, req["path"])
        path = re.sub(r"req-[0-9a-f-]{36}", REQUEST_A, path)
        path = re.sub(r"^/v2(\.1)?/[0-9a-f]{32}/", lambda m: m.group(0)[: -33] + PROJECT_A + "/",
                      path)
        query = re.sub(r"req-[0-9a-f-]{36}", REQUEST_A, req["query"])
        target = path + ("?" + query if query else "")
        if not auth:
            token = None
        elif "admin" in roles:
            token = ADMIN
        else:
            project = PROJECT_A if n % 3 else PROJECT_B
            token = "%s:%s:%s" % (auth.get("name", "user"), project, ",".join(roles))
        headers = list(req["headers"].items())
        if token is not None:
            headers.append(("X-Auth-Token", token))
        body = None if req["body"] is None else json.dumps(req["body"])
        write("http_request", "golden-%03d" % n, request(req["method"], target, headers, body))
        n += 1

    actions = "/v2.1/servers/%s/os-instance-actions" % SERVER_A
    hand = {
        "versions-root": request("GET", "/", [("Host", "api.example:8774")]),
        "version-v21": request("GET", "/v2.1/"),
        "version-v2": request("GET", "/v2"),
        "index-latest-admin": request("GET", actions, [
            ("OpenStack-API-Version", "compute latest"), ("X-Auth-Token", ADMIN)]),
        "index-legacy-header": request("GET", actions + "?limit=1", [
            ("X-OpenStack-Nova-API-Version", "2.60"), ("X-Auth-Token", MEMBER_A)]),
        "index-two-headers": request("GET", actions, [
            ("OpenStack-API-Version", "volume 3.0, compute 2.66"),
            ("OpenStack-API-Version", "compute 2.58"), ("X-Auth-Token", READER_A)]),
        "index-query": request("GET", actions + "?limit=2&marker=" + REQUEST_A +
                               "&changes-since=2025-12-31T23%3A00%3A00%2B01%3A00"
                               "&changes-before=2027-01-01", [
            ("OpenStack-API-Version", "compute 2.66"), ("X-Auth-Token", MEMBER_A)]),
        "index-bad-query": request("GET", actions + "?limit=-1&limit=x;foo=%ff&changes-since=2026-13-01", [
            ("OpenStack-API-Version", "compute 2.58"), ("X-Auth-Token", MEMBER_A)]),
        "show-other-project": request("GET", actions + "/" + REQUEST_A, [
            ("OpenStack-API-Version", "compute 2.84"), ("X-Auth-Token", MEMBER_B)]),
        "show-admin-284": request("GET", actions + "/" + REQUEST_A, [
            ("OpenStack-API-Version", "compute 2.84"), ("X-Auth-Token", ADMIN)]),
        "project-in-url": request("GET", "/v2.1/%s/servers/%s/os-instance-actions" % (PROJECT_A, SERVER_A), [
            ("OpenStack-API-Version", "compute 2.51"), ("X-Auth-Token", MEMBER_A)]),
        "project-mismatch": request("GET", "/v2.1/%s/servers/%s" % (PROJECT_B, SERVER_A), [
            ("X-Auth-Token", MEMBER_A)]),
        "server-list": request("GET", "/v2.1/servers", [("X-Auth-Token", MEMBER_B)]),
        "bad-version": request("GET", actions, [
            ("OpenStack-API-Version", "compute 2.094"), ("X-Auth-Token", MEMBER_A)]),
        "unsupported-version": request("GET", actions, [
            ("OpenStack-API-Version", "compute 3.0"), ("X-Auth-Token", MEMBER_A)]),
        "not-found-html": request("GET", "/v2.1/flavors", [
            ("Accept", "text/html"), ("X-Auth-Token", MEMBER_A)]),
        "percent-path": request("GET", "/v2.1/servers/%31111111-2222-4333-8444-555555555555/os-instance-actions%2F", [
            ("X-Auth-Token", MEMBER_A)]),
        "no-token": request("GET", actions),
        "journal-get": request("GET", "/journal/v1/instances/%s/actions/%s" % (SERVER_A, REQUEST_A), [
            ("X-Auth-Token", SERVICE)]),
        "journal-verify": request("GET", "/journal/v1/verify", [("X-Auth-Token", ADMIN)]),
        "journal-verify-member": request("GET", "/journal/v1/verify", [("X-Auth-Token", MEMBER_A)]),
        "journal-put": request("PUT", "/journal/v1/instances/33333333-4444-4555-8666-777777777777", [
            ("X-Auth-Token", SERVICE), ("Content-Type", "application/json")],
            json.dumps({"instance": {"project_id": PROJECT_B, "host": "c2"}})),
        "journal-method": request("PATCH", "/journal/v1/instances/" + SERVER_A, [
            ("X-Auth-Token", SERVICE)]),
        "journal-delete": request("DELETE", "/journal/v1/instances/" + SERVER_B, [
            ("X-Auth-Token", ADMIN)]),
        "journal-finish-event": request("POST", "/journal/v1/instances/%s/actions/%s/events/compute_reboot_instance/finish" % (SERVER_A, REQUEST_A), [
            ("X-Auth-Token", SERVICE), ("Content-Type", "application/json; charset=utf-8")],
            '{"result": "Success"}'),
        "journal-text-body": request("POST", "/journal/v1/instances/%s/actions" % SERVER_A, [
            ("X-Auth-Token", SERVICE), ("Content-Type", "text/plain")], "hello"),
        "custom-method": request("BREW", "/v2.1/servers", [("X-Auth-Token", MEMBER_A)]),
    }
    for name, text in hand.items():
        write("http_request", name, text)


def journal_body_seeds():
    t = "2026-01-02T00:00:00Z"
    new_action = {"action": {
        "action": "create", "user_id": "alice", "project_id": PROJECT_A,
        "start_time": "2026-01-02T00:00:00.000001", "finish_time": "2026-01-02T00:01:00+01:00",
        "message": "Error", "created_at": "2026-01-02T00:00:00Z",
        "events": [{"event": "compute__do_build_and_run_instance", "start_time": t,
                    "finish_time": "2026-01-02T00:00:30Z", "result": "Error",
                    "traceback": "Traceback (most recent call last):\n  File \"x\"\n",
                    "host": "c1", "details": "No valid host", "created_at": t}]}}
    seeds = {
        "put-instance": "a" + json.dumps({"instance": {"project_id": PROJECT_A, "user_id": "alice",
                                                       "host": "c1", "display_name": "vm"}}),
        "start-action": "b" + json.dumps({"action": {
            "request_id": "req-cccccccc-dddd-4eee-8fff-000000000000", "action": "reboot",
            "user_id": "alice", "project_id": PROJECT_A, "start_time": "2026-01-01T00:00:05Z"}}),
        "start-action-no-time": "b" + json.dumps({"action": {
            "request_id": "req-1", "action": "stop", "user_id": "u", "project_id": PROJECT_A}}),
        "clone-new": "c" + json.dumps(new_action),
        "clone-existing": "d" + json.dumps({"action": {
            "action": "reboot", "user_id": "alice", "project_id": PROJECT_A,
            "instance_uuid": SERVER_A, "request_id": REQUEST_A,
            "start_time": "2026-01-01T00:00:00Z", "events": []}}),
        "finish-action": "e" + json.dumps({"finish_time": "2026-01-01T00:00:09Z"}),
        "finish-action-empty": "e",
        "start-event": "f" + json.dumps({"event": {"event": "compute_resize", "host": "c1",
                                                   "start_time": "2026-01-01T01:00:03+01:00"}}),
        "finish-event-same": "g" + json.dumps({"result": "Error", "details": "boom",
                                               "traceback": "SecretTracebackOfProjectA",
                                               "finish_time": "2026-01-01T00:00:02Z"}),
        "finish-event-other": "g" + json.dumps({"result": "Success"}),
        "update-instance": "i" + json.dumps({"instance": {"project_id": PROJECT_A, "host": "c9"}}),
        "sequence-event": "f" + json.dumps({"event": {"event": "compute_resize"}}) + "\n---\n" +
                          "h" + json.dumps({"result": "Success", "finish_time": "2026-01-01"}) +
                          "\n---\ne\n---\n" + "h" + json.dumps({"result": "Error"}),
        "sequence-clone": "c" + json.dumps(new_action) + "\n---\n" + "j" +
                          json.dumps({"event": {"event": "compute_x", "start_time": t}}) +
                          "\n---\nc" + json.dumps(new_action),
        "wrong-types": "b" + json.dumps({"action": {"request_id": 5, "action": None,
                                                    "user_id": ["u"], "project_id": {}}}),
        "unknown-key": "a" + json.dumps({"instance": {"project_id": "p", "flavor": "m1"}}),
        "deep": "a" + "[" * 40 + "]" * 40,
        "huge-number": "e" + '{"finish_time": 1e999999}',
        "bad-utf8": b"i" + b'{"instance": {"project_id": "\xff\xfe", "host": "a\x00b"}}',
        "escapes": "f" + '{"event": {"event": "a\\u0000b\\ud800", "host": "\\u00e9"}}',
        "bad-time": "g" + json.dumps({"result": "Error", "finish_time": "2026-02-30T25:61:00+24:00"}),
        "long-string": "a" + json.dumps({"instance": {"project_id": "p" * 300}}),
        "two-envelopes": "b" + '{"action": {}, "action": {}}',
    }
    for name, text in seeds.items():
        write("journal_body", name, text)


def time_seeds():
    for i, text in enumerate([
            "2026-11-24 03:02:48.659346", "2026-11-24T03:02:48", "2026-11-24 03:02:48.5",
            "2000-01-01", "20000101T000000Z", "2000-01-01 00:00:00",
            "2000-01-01T00:00:00.5+05:00", "9999-12-31 23:59:59.999999", "0001-01-01 00:00:00",
            "2000-02-29T12:00:00-23:59", "2026-11-24T03:02:48,1234567Z\n", "1900-02-29",
            "2026-1-2T3:4", "2026-11-24T03:02:48+0130", "0001-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-00:01"]):
        write("time", "%02d" % i, text)


def auth_seeds():
    h = hashlib.sha256(b"s3cret").hexdigest()
    seeds = {
        "noauth": "0alice:%s:member,reader" % PROJECT_A,
        "noauth-admin-default": "0admin:p",
        "noauth-roles-spaces": "0u:p: admin , ,reader,",
        "noauth-empty-user": "0:p:admin",
        "headers": "1127.0.0.1\nuser\nproj\nadmin, reader",
        "headers-mapped": "1::ffff:127.0.0.1\nu\np\n",
        "headers-untrusted": "110.0.0.8\nu\np\nadmin",
        "tokens": "2# tokens\n%s alice %s member,reader\n\n  %s bob p\n" % (h, PROJECT_A, h.upper()),
        "tokens-bad": "2%s\n" % h[:63],
        "config": "3[DEFAULT]\nlisten = [::1]:8774\nosapi_compute_workers = 4\naccess_log = -\n"
                  "[api]\nauth_strategy = keystone\nmax_limit = 50\ntrusted_proxies = 10.0.0.1, ::1\n"
                  "[database]\nconnection = sqlite:///x.db\nrelaxed_durability = yes\n"
                  "[limits]\nrequest_timeout=10\nidle_timeout = 5\nmax_body_bytes = 4096\n",
        "config-bad": "3[api\nmax_limit = 0\n",
        "listen": "3:8774\n",
        "listen-v6": "3[fe80::1]:99999\n",
    }
    for name, text in seeds.items():
        write("auth", name, text)


def field(v):
    if v is None:
        return "\\N"
    return str(v).replace("|", "/").replace("\n", " ")


def nova_import_seeds():
    db = sqlite3.connect(ROOT / "tests/acceptance/golden/nova-db.sqlite")
    icols = "id, uuid, project_id, user_id, host, display_name, created_at, updated_at, deleted_at, deleted"
    acols = ("id, action, instance_uuid, request_id, user_id, project_id, created_at, updated_at, "
             "deleted_at, start_time, finish_time, message, deleted")
    ecols = ("id, action_id, event, created_at, updated_at, deleted_at, start_time, finish_time, "
             "result, traceback, host, details, deleted")
    uuids = [r[0] for r in db.execute("SELECT uuid FROM instances ORDER BY id")]
    for n, uuid in enumerate(uuids[:4]):
        lines = ["I|" + "|".join(map(field, r)) for r in
                 db.execute("SELECT %s FROM instances WHERE uuid = ?" % icols, (uuid,))]
        actions = list(db.execute("SELECT %s FROM instance_actions WHERE instance_uuid = ? "
                                  "ORDER BY id LIMIT 4" % acols, (uuid,)))
        lines += ["A|" + "|".join(map(field, r)) for r in actions]
        for a in actions:
            lines += ["E|" + "|".join(map(field, r)) for r in
                      db.execute("SELECT %s FROM instance_actions_events WHERE action_id = ? "
                                 "ORDER BY id LIMIT 3" % ecols, (a[0],))]
        write("nova_import", "golden-%d" % n, "\n".join(lines) + "\n")
    u = "0a26c298-bdc6-4a1d-8ae4-5bedd52e1414"
    t = "2026-11-24 03:36:40.147990"
    write("nova_import", "odd-rows", "\n".join([
        "I|1|%s|p1|u1|h1|vm|%s|\\N|\\N|0" % (u, t),
        "I|2|not-a-uuid|p1|u1|h1|vm|%s|\\N|\\N|0" % t,
        "I|3|\\N|p|u",
        "A|1|create|%s|req-1|u1|p1|%s|%s|\\N|%s|\\N|\\N|0" % (u, t, t, t),
        "A|2|create|%s|req-1|u1|p1|%s|%s|\\N|%s|%s|Error|0" % (u, t, t, t, t),
        "A|3|reboot|%s|\\N|u1|p1|2026-13-45 99:00:00" % u,
        "A|4|stop|99999999-9999-4999-8999-999999999999|req-4|u|p|%s" % t,
        "E|1|1|compute_create|%s|\\N|\\N|%s|%s|Success|\\N|h1|\\N|0" % (t, t, t),
        "E|2|1|compute_create|%s|\\N|\\N|%s|\\N|\\N|\\N|h1|\\N|0" % (t, t),
        "E|3|\\N|orphan",
        "E|4|77|lost|%s" % t,
        "E|5|2|compute_x|garbage|\\N|\\N|2026-11-24T03:36:40|\\N|Error|Traceback|h|d|1",
    ]) + "\n")
    write("nova_import", "deleted", "\n".join([
        "I|5|%s|p1|u1|h1|vm|%s|%s|%s|5" % (u, t, t, t),
        "A|9|delete|%s|req-9|u1|p1|%s|%s|\\N|%s|%s|\\N|0" % (u, t, t, t, t),
        "E|9|9|compute_terminate_instance|%s|%s|\\N|%s|%s|Success|\\N|h1|\\N|0" % (t, t, t, t),
    ]) + "\n")


if __name__ == "__main__":
    http_request_seeds()
    journal_body_seeds()
    time_seeds()
    auth_seeds()
    nova_import_seeds()
    for d in sorted(CORPUS.iterdir()):
        print(d.name, len(list(d.iterdir())))
