-- Fully recorded actions: each connection (run with as many wrk threads as connections) loops
-- over start action -> start event -> finish event -> finish action, 4 durable writes per action.
local thread_count = 0
function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

local step = 0
local n = 0
local base = ""
local headers = {
  ["X-Auth-Token"] = "nova:service:service",
  ["Content-Type"] = "application/json",
}
local epoch = os.time() % 0xffffffff

function request()
  if step == 0 then
    n = n + 1
    local instance = (tid * 61 + n) % 3999 + 1
    local server = string.format("00000000-0000-%04x-4000-800000000000", instance)
    local rid = string.format("req-%08x-%04x-4000-9000-%012x", epoch, tid, n)
    base = "/journal/v1/instances/" .. server .. "/actions"
    step = 1
    return wrk.format("POST", base, headers, '{"action": {"request_id": "' .. rid ..
        '", "action": "reboot", "user_id": "benchuser", "project_id": "benchproj"}}')
  elseif step == 1 then
    base = base .. "/" .. string.format("req-%08x-%04x-4000-9000-%012x", epoch, tid, n)
    step = 2
    return wrk.format("POST", base .. "/events", headers,
        '{"event": {"event": "compute_reboot_instance", "host": "compute1"}}')
  elseif step == 2 then
    step = 3
    return wrk.format("POST", base .. "/events/compute_reboot_instance/finish", headers,
        '{"result": "Success"}')
  else
    step = 0
    return wrk.format("POST", base .. "/finish", headers, "")
  end
end

-- wrk calls request() once on thread 0 to inspect it without sending it, which skips that
-- thread's first "start action": its first sequence gets one 404, then it starts over.
function response(status, headers, body)
  if status ~= 200 and status ~= 201 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
    step = 0
  end
end
