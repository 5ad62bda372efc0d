// Waiting in loops that an AbortSignal ends, without leaving a listener behind on every turn.

/** Resolves after ms, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Resolves when the signal aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/**
 * Resolves when the function handed to `expose` is called, or when the signal aborts (or after
 * timeoutMs, when given). The caller keeps the function to wake the waiter up.
 */
export function waitForWake(signal: AbortSignal, expose: (wake: () => void) => void, timeoutMs?: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = timeoutMs !== undefined ? setTimeout(done, Math.max(0, timeoutMs)) : undefined;
    function done() {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
    expose(done);
  });
}

/** Waits for promise, or rejects with the signal's reason when it aborts first. */
export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export interface Deadline {
  /** Aborts when the time is up (with a TimeoutError, as AbortSignal.timeout's) or the parent aborts. */
  readonly signal: AbortSignal;
  /** Whether it aborted because the time was up. */
  timedOut(): boolean;
  /** Stops the timer and lets go of the parent; call when the work is done. */
  dispose(): void;
}

/**
 * A signal for one request of a hot loop: aborted after timeoutMs or with the parent. Unlike
 * AbortSignal.any([AbortSignal.timeout(ms), parent]), nothing outlives dispose(): the timeout's timer
 * holds its signal for the whole timeout even after the request ended, and any() links signals through
 * WeakRefs, which V8's young-generation collections keep alive — on Node, per-request signals were
 * promoted and made up a tenth of what full collections reclaimed on the scrape -> remote_write path.
 */
export function deadline(timeoutMs: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const onParent = () => controller.abort(parent!.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
  }, Math.min(Math.max(0, timeoutMs), 2 ** 31 - 1));
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener("abort", onParent, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParent);
    },
  };
}
