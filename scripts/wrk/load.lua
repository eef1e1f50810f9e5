-- Saturation load on one kind of request, spread over many members, for
-- scripts/reliability/load.sh. Environment:
--   TARGET          profile | feed | search | message
--   TOKENS_FILE     bearer tokens, one a line (profile, feed, search)
--   HANDLES_FILE    member handles that exist, one a line (profile)
--   QUERIES_FILE    search queries, one a line (search)
--   CONVERSATIONS_FILE  `TOKEN CONVERSATION_ID` a line: a participant's
--                   token and the conversation he writes into (message)
-- At the end, the answers are counted by status (`status CODE COUNT`
-- lines), so that a failing run says what it got, not only how many.

local target = os.getenv("TARGET") or ""

local function lines(var)
  local path = os.getenv(var)
  if path == nil or path == "" then
    error(var .. " is not set (TARGET=" .. target .. " needs it)")
  end
  local file = io.open(path, "r")
  if file == nil then
    error(var .. ": cannot open " .. path)
  end
  local items = {}
  for line in file:lines() do
    if line ~= "" then
      table.insert(items, line)
    end
  end
  file:close()
  if #items == 0 then
    error(var .. ": " .. path .. " is empty")
  end
  return items
end

local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function bearer(token)
  return { ["Authorization"] = "Bearer " .. token }
end

local pick = function(list)
  return list[math.random(1, #list)]
end

local make
if target == "profile" then
  local tokens, handles = lines("TOKENS_FILE"), lines("HANDLES_FILE")
  make = function()
    return wrk.format("GET", "/api/v1/profiles/" .. pick(handles), bearer(pick(tokens)))
  end
elseif target == "feed" then
  local tokens = lines("TOKENS_FILE")
  make = function()
    return wrk.format("GET", "/api/v1/feed", bearer(pick(tokens)))
  end
elseif target == "search" then
  local tokens, queries = lines("TOKENS_FILE"), lines("QUERIES_FILE")
  make = function()
    return wrk.format("GET", "/api/v1/search?q=" .. urlencode(pick(queries)), bearer(pick(tokens)))
  end
elseif target == "message" then
  local pairs_ = {}
  for _, line in ipairs(lines("CONVERSATIONS_FILE")) do
    local token, id = string.match(line, "^(%S+)%s+(%S+)$")
    if token == nil then
      error("CONVERSATIONS_FILE: `" .. line .. "` is not `TOKEN CONVERSATION_ID`")
    end
    table.insert(pairs_, { token = token, id = id })
  end
  local sent = 0
  make = function()
    local p = pick(pairs_)
    sent = sent + 1
    local headers = bearer(p.token)
    headers["Content-Type"] = "application/json"
    local body = string.format('{"text":"Load test message %d: are you free on Thursday?"}', sent)
    return wrk.format("POST", "/api/v1/conversations/" .. p.id .. "/messages", headers, body)
  end
else
  error("TARGET must be profile, feed, search or message, not `" .. target .. "`")
end

local threads = {}
local seeds = 0

function setup(thread)
  seeds = seeds + 1
  thread:set("seed", seeds)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(42 + (seed or 0))
end

request = function()
  return make()
end

statuses = {}

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      total[code] = (total[code] or 0) + count
    end
  end
  for code, count in pairs(total) do
    io.write(string.format("status %d %d\n", code, count))
  end
end
