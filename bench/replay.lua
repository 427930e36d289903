-- wrk script for bench/run.py: replays pre-built requests and counts every status.
--
-- wrk ... -s replay.lua URL -- EXPECTED FILE MODE THREADS
--   EXPECTED  the one status that counts as success (200, 303...)
--   FILE      one request per line: method TAB path TAB cookie TAB csrf-token TAB body
--   MODE      "once": every line is sent at most once (votes: each one must be a
--             new insert); when a thread runs out it sends /_bench/exhausted,
--             which answers 404 and is counted as an error, never a silent repeat.
--             "cycle": the lines are sent round and round (reads, posts).
--   THREADS   wrk's -t; in "once" mode thread n takes lines n, n+THREADS, n+2*THREADS...
--
-- done() runs in wrk's main Lua state, so it reads each thread's counters with
-- thread:get(); it prints one line "BENCH {json}" that bench/run.py reads.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function parse(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields[1], fields[2], fields[3] or "", fields[4] or "", fields[5] or ""
end

function init(args)
  expected = tonumber(args[1])
  mode = args[3]
  local nthreads = tonumber(args[4])
  prepared = {}
  local index = 0
  for line in io.lines(args[2]) do
    -- "once" splits the lines between threads; "cycle" gives every thread all
    -- of them (a one-line file must still load every connection).
    if mode == "cycle" or index % nthreads == id then
      local method, path, cookie, csrf, body = parse(line)
      local headers = {}
      if cookie ~= "" then headers["Cookie"] = cookie end
      if csrf ~= "" then headers["x-csrftoken"] = csrf end
      if body ~= "" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      else
        body = nil
        if method ~= "GET" then headers["Content-Length"] = "0" end
      end
      table.insert(prepared, wrk.format(method, path, headers, body))
    end
    index = index + 1
  end
  available = #prepared
  -- In "cycle", threads start at different lines so they do not send in step.
  issued = 0
  offset = 0
  if mode == "cycle" then
    offset = math.floor(available * id / nthreads)
  end
  exhausted = 0
  statuses = {}
  spare = wrk.format("GET", "/_bench/exhausted")
end

function request()
  issued = issued + 1
  if mode == "once" then
    if issued <= available then
      return prepared[issued]
    end
    exhausted = exhausted + 1
    return spare
  end
  return prepared[((offset + issued - 1) % available) + 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local statuses_total = {}
  local consumed = {}
  local issued_total, exhausted_total, available_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      statuses_total[code] = (statuses_total[code] or 0) + count
    end
    local thread_issued = thread:get("issued")
    local thread_available = thread:get("available")
    issued_total = issued_total + thread_issued
    exhausted_total = exhausted_total + thread:get("exhausted")
    available_total = available_total + thread_available
    table.insert(consumed, string.format("%d", math.min(thread_issued, thread_available)))
  end
  local codes = {}
  for code, count in pairs(statuses_total) do
    table.insert(codes, string.format('"%d": %d', code, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, '
      .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "status_errors": %d, '
      .. '"statuses": {%s}, "issued": %d, "available": %d, "exhausted": %d, "consumed": [%s], "expected": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status,
    table.concat(codes, ", "), issued_total, available_total, exhausted_total, table.concat(consumed, ", "), threads[1]:get("expected")
  ))
end
