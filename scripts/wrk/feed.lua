-- The home feed of several signed-in members, one picked at random per
-- request. TOKENS: bearer tokens separated by spaces.
math.randomseed(42)
local tokens = {}
for t in string.gmatch(os.getenv("TOKENS") or "", "%S+") do
  table.insert(tokens, t)
end
request = function()
  local token = tokens[math.random(1, #tokens)]
  return wrk.format("GET", "/api/v1/feed", { ["Authorization"] = "Bearer " .. token })
end
