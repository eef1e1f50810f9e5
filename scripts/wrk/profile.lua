math.randomseed(42)
local token = os.getenv("TOKEN")
request = function()
  local target = math.random(0, 99999)
  return wrk.format("GET", "/api/v1/profiles/m" .. target, { ["Authorization"] = "Bearer " .. token })
end
