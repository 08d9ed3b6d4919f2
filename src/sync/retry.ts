import type { FetchLike } from './api';

/**
 * A sync makes hundreds of requests; on patchy mobile data a few of them fail in flight. Without a
 * retry one lost request ended the whole sync, so on a link that loses one request in five a sync
 * never finished (fault suite 2). Every call a sync makes is safe to send again: pushes carry
 * mutation ids the centre answers once, keys are registered by id, the rest are reads.
 */
export const SYNC_RETRY_DELAYS: readonly number[] = [500, 2000, 5000];

export interface RetryOptions {
  /** Waits before each further try; its length is the number of retries. */
  delays?: readonly number[];
  /** Known offline: no point in waiting, the sync ends and the scheduler tries when back online. */
  isOnline?: () => boolean;
}

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A fetch that tries again after a failure in flight: no answer, or a JSON answer cut part-way
 * (read whole here, so it is retried like a lost one; file downloads stream and are not read).
 * Any complete answer, an error status included, is returned as it is.
 */
export function retryingFetch(fetchImpl: FetchLike, { delays = SYNC_RETRY_DELAYS, isOnline = () => true }: RetryOptions = {}): FetchLike {
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetchImpl(input, init);
        if (NULL_BODY.has(response.status) || !response.headers.get('Content-Type')?.includes('json')) return response;
        const body = await response.arrayBuffer();
        return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      } catch (error) {
        const aborted = (error as { name?: string } | null)?.name === 'AbortError' || init?.signal?.aborted === true;
        if (aborted || attempt >= delays.length || !isOnline()) throw error;
        await wait(delays[attempt]!, init?.signal ?? undefined);
      }
    }
  };
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
