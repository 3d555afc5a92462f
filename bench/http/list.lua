-- GET the newest 50 actions of the benchmark server at microversion 2.58 (owner token).
wrk.method = "GET"
wrk.path = "/v2.1/servers/00000000-0000-4000-8000-000000000000/os-instance-actions?limit=50"
wrk.headers["X-Auth-Token"] = "benchuser:benchproj:member,reader"
wrk.headers["OpenStack-API-Version"] = "compute 2.58"
