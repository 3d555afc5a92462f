-- GET one action with its 5 events at microversion 2.84 as admin (every event key).
wrk.method = "GET"
wrk.path = "/v2.1/servers/00000000-0000-4000-8000-000000000000/os-instance-actions/req-00000000-0000-4000-0000-000000000019"
wrk.headers["X-Auth-Token"] = "admin:adminproj:admin,reader"
wrk.headers["OpenStack-API-Version"] = "compute 2.84"
