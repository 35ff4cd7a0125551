-- wrk script that paces requests, because Debian's wrk 4.1 has no rate option (-R).
-- wrk calls delay() before every request on a connection, so each connection sends
-- one request per (delay + response time). The delay is uniform in [0, 2 * mean]
-- so that connections do not fall into step. With the default mean of 48 ms and
-- responses of 1 to 2 ms, 10 connections send about 200 requests/s; wrk prints the
-- rate reached.
-- The latency wrk reports runs from writing the request to reading the response,
-- so it excludes the delay.
local mean_ms = tonumber(os.getenv("WRK_MEAN_DELAY_MS") or "48")

function setup(thread)
   thread:set("seed", math.random(1, 2 ^ 30))
end

function init(args)
   math.randomseed(seed)
end

function delay()
   return math.random(0, 2 * mean_ms)
end
