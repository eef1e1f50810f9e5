-- Saturation load on one kind of request, spread over many members, for
-- scripts/reliability/load.sh. Environment:
--   TARGET          profile | feed | search | message
--   TOKENS_FILE     bearer tokens, one a line (profile, feed, search)
--   HANDLES_FILE    member handles that exist, one a line (profile)
--   QUERIES_FILE    search queries, one a line (search)
--   CONVERSATIONS_FILE  `TOKEN CONVERSATION_ID` a line: a participant's
--                   token and the conversation he writes into (message)
--   POST_ID         the post commented on (comment, answer)
--   COUNT           comments to write, then health checks (comment)
--   FIRST_ID        the first comment answered, the next ones after it in
--                   order, one each (answer)
--   AS              the page answered as (answer) or read (inbox)
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
elseif target == "comment" then
  -- Each comment a thread of its own: one open item of the page's inbox.
  local tokens = lines("TOKENS_FILE")
  local post, count = os.getenv("POST_ID"), tonumber(os.getenv("COUNT") or "0")
  local sent = 0
  make = function()
    if sent >= count then
      return wrk.format("GET", "/api/v1/health")
    end
    sent = sent + 1
    local headers = bearer(pick(tokens))
    headers["Content-Type"] = "application/json"
    local body = string.format('{"text":"Question %d: when is the next delivery?"}', sent)
    return wrk.format("POST", "/api/v1/posts/" .. post .. "/comments", headers, body)
  end
elseif target == "answer" then
  -- A team member answers the next thread, as the page when AS is set.
  local tokens = lines("TOKENS_FILE")
  local post, first = os.getenv("POST_ID"), tonumber(os.getenv("FIRST_ID") or "0")
  local as = os.getenv("AS") or ""
  local sent = 0
  make = function()
    local headers = bearer(pick(tokens))
    headers["Content-Type"] = "application/json"
    local page = ""
    if as ~= "" then
      page = string.format(',"as":"%s"', as)
    end
    local body = string.format('{"text":"Thank you, we answer today.","parent":"%d"%s}', first + sent, page)
    sent = sent + 1
    return wrk.format("POST", "/api/v1/posts/" .. post .. "/comments", headers, body)
  end
elseif target == "inbox" then
  local tokens = lines("TOKENS_FILE")
  local path = "/api/v1/inbox?limit=20&as=" .. urlencode(os.getenv("AS") or "")
  make = function()
    return wrk.format("GET", path, bearer(pick(tokens)))
  end
elseif target == "health" then
  make = function()
    return wrk.format("GET", "/api/v1/health")
  end
else
  error("TARGET must be profile, feed, search, message, comment, answer, inbox or health, not `" .. target .. "`")
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
