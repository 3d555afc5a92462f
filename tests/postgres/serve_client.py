"""What the PostgreSQL service tests share: starting `actionlog serve` on 127.0.0.1 and calling it.

start_server(binary, db_url, *extra_args) -> (process, port): the server with `--auth noauth` and
no access log, once `GET /v2.1` answers (at most 30 s; its stderr is in the error otherwise).
request(port, method, path, body=None, token=SERVICE) -> (status, JSON body or None), at Nova
microversion 2.93, with a 10 s timeout.
"""
import http.client
import json
import socket
import subprocess
import time

SERVICE = "svc-user:svc-project:service"
ADMIN = "admin:admin-project:admin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, token=SERVICE):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.93"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    return resp.status, (json.loads(payload) if payload else None)


def start_server(binary, db_url, *extra_args):
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--db", db_url, "serve", "--listen", f"127.0.0.1:{port}", "--auth", "noauth",
         "--access-log", "none", *extra_args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}: {proc.stderr.read()}")
        try:
            if request(port, "GET", "/v2.1")[0] == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start within 30 s")
