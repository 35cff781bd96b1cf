// Busy polling of the event loop, off unless a mount asks for it (-o busy-poll-us=N). After the
// loop has handled an event (a FUSE request, a brick's reply), it keeps polling without sleeping
// for N microseconds, so that the next request or reply is picked up at once rather than after the
// main thread has been put to sleep and woken again. On the virtual machines we measure on, a wake
// costs 30-70 µs, several times what our code spends on a cached stat (bench/RESULTS.md).
//
// The price is CPU: up to one core while requests keep arriving within the window, nothing once
// the mount has been quiet for that long. It is the trade Linux offers for sockets with
// net.core.busy_poll, and it is off by default for the same reason: on a machine short of cores
// the spinning steals from the application and the bricks.
//
// The loop spins by keeping an immediate queued: while one is pending, libuv polls with a zero
// timeout instead of blocking.

let windowMs = 0;
let until = 0;
let armed = false;

function spin(): void {
  if (performance.now() < until) setImmediate(spin);
  else armed = false;
}

/** Spin for `microseconds` after each event from now on; 0 turns spinning off. */
export function setBusyPollWindow(microseconds: number): void {
  windowMs = microseconds / 1000;
}

/** Called by event sources (the FUSE device, RPC connections) for each event they handle. */
export function noteActivity(): void {
  if (windowMs === 0) return;
  until = performance.now() + windowMs;
  if (!armed) {
    armed = true;
    setImmediate(spin);
  }
}
