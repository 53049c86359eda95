/**
 * The Lua scripts a Redis journal runs, each atomic on the server: the
 * conditional append (Optuna's key layout: `<prefix>:log_number`,
 * `<prefix>:log:<n>`), and the lock that workers of this library take.
 *
 * A script that finds the log not as it may be written on returns an array
 * and writes nothing; the backend turns it into a StorageError:
 * `{'log_number', value}`, the number key holds no operation number;
 * `{'orphans'}`, the number key is gone while operation 0 is there (a new
 * log's operations written over the old ones, which stayed behind them);
 * `{'diverged'}`, the last operation the worker read is not there any more
 * (the server lost writes, or was wiped, and grew again: see ./redis-log).
 */

/**
 * Returns `{'log_number', value}` when KEYS[n] holds something other than
 * an operation number (-1, or an integer >= 0): tonumber() read 'abc' as nil,
 * and the lock's caller took that reply for a lock holder.
 */
const NUMBER_CHECK = (n: number) => `
local raw = redis.call('get', KEYS[${n}])
if raw and raw ~= '-1' and not string.match(raw, '^%d+$') then return {'log_number', raw} end`;

/**
 * Returns `{'diverged'}` when ARGV[s] (a SHA-1; '' skips the check) is not
 * that of KEYS[k], the last operation the worker read, number ARGV[n],
 * while log_number is at or past it. Below it the read that follows says
 * the server holds fewer operations than were read.
 */
const CONTENT_CHECK = (k: number, s: number, n: number) => `
if ARGV[${s}] ~= '' and tonumber(raw or '-1') >= tonumber(ARGV[${n}])
  and redis.sha1hex(redis.call('get', KEYS[${k}]) or '') ~= ARGV[${s}] then return {'diverged'} end`;

/**
 * Appends ARGV[4..] if log_number is still ARGV[2] and operation ARGV[2]
 * (KEYS[2]) still has SHA-1 ARGV[3]; returns the new log_number, or -2 on
 * conflict (the log moved on: the step is run again on a fresh read).
 */
export const APPEND = `${NUMBER_CHECK(1)}
if not raw and redis.call('exists', ARGV[1] .. ':log:0') == 1 then return {'orphans'} end
local cur = tonumber(raw or '-1')
if cur ~= tonumber(ARGV[2]) then return -2 end${CONTENT_CHECK(2, 3, 2)}
redis.call('setnx', KEYS[1], -1)
for i = 4, #ARGV do
  local n = redis.call('incr', KEYS[1])
  redis.call('set', string.format('%s:log:%d', ARGV[1], n), ARGV[i])
end
return cur + #ARGV - 3`;

/**
 * Takes the lock (KEYS[1]) for token ARGV[1] for ARGV[2] ms; returns the
 * log's last operation number (KEYS[2]), or the holder's token (a string)
 * when the lock is held. A token is `<worker>:<hex>`; with ARGV[4] = '1' a
 * lock whose holder has no heartbeat key (ARGV[3] .. worker) is taken over:
 * its worker has stopped (killed mid-step), and waiting for the key to
 * expire stalled every other worker for lockTimeoutMs. Taking it from a
 * worker that is alive after all costs no data: appends are conditional
 * (APPEND), so the step of a worker that lost its lock is run again. The log
 * is checked before the lock is taken, so a refusal leaves no lock behind:
 * operation ARGV[6] (KEYS[3]), the last the worker read, must still have
 * SHA-1 ARGV[5].
 */
export const LOCK = `${NUMBER_CHECK(2)}${CONTENT_CHECK(3, 5, 6)}
if not redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  local holder = redis.call('get', KEYS[1])
  if not holder then return '' end
  local worker = string.match(holder, '^(.*):[0-9a-f]+$')
  if ARGV[4] ~= '1' or not worker or redis.call('exists', ARGV[3] .. worker) == 1 then return holder end
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return tonumber(raw or '-1')`;

/** Releases the lock (KEYS[1]) only if it is still held with token ARGV[1]. */
export const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
