-- Durable writes: every request starts a new action (unique request id) on one of the 4000
-- benchmark instances. Run with many connections: group commit batches concurrent writes.
local thread_count = 0
function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

local counter = 0
local headers = {
  ["X-Auth-Token"] = "nova:service:service",
  ["Content-Type"] = "application/json",
}

function request()
  counter = counter + 1
  local instance = (tid * 7919 + counter) % 4000
  local server = string.format("00000000-0000-%04x-4000-800000000000", instance)
  if instance == 0 then
    server = "00000000-0000-4000-8000-000000000000"
  end
  local rid = string.format("req-%08x-%04x-4000-8000-%012x", os.time() % 0xffffffff, tid, counter)
  local body = '{"action": {"request_id": "' .. rid .. '", "action": "reboot", ' ..
      '"user_id": "benchuser", "project_id": "benchproj"}}'
  return wrk.format("POST", "/journal/v1/instances/" .. server .. "/actions", headers, body)
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
