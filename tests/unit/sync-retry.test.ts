import { describe, expect, it, vi } from 'vitest';
import { centreClient, CentreError } from '../../src/sync/api';
import { retryingFetch } from '../../src/sync/retry';
import { z } from 'zod';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

/** An answer whose body stops part-way, as a connection cut mid-answer does. */
function cutAnswer(type: string): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"results":['));
      controller.error(new TypeError('terminated'));
    },
  });
  return new Response(stream, { status: 200, headers: { 'Content-Type': type } });
}

describe('retrying sync requests', () => {
  it('tries again after a request lost in flight, and after a JSON answer cut part-way', async () => {
    const fetchImpl = vi
      .fn()
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(cutAnswer('application/json'))
      .mockResolvedValueOnce(json({ ok: true }));
    const client = centreClient(() => 't', '', retryingFetch(fetchImpl, { delays: [1, 1] }));
    await expect(client.call('GET', '/api/x', z.object({ ok: z.boolean() }))).resolves.toEqual({ ok: true });
    expect(fetchImpl).toHaveBeenCalledTimes(3);
  });

  it('gives up after the last delay with the connection error, for the sync to end as offline', async () => {
    const fetchImpl = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'));
    const client = centreClient(() => 't', '', retryingFetch(fetchImpl, { delays: [1, 1] }));
    const error = await client.call('GET', '/api/x', z.object({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CentreError);
    expect(error).toMatchObject({ reason: 'offline' });
    expect(fetchImpl).toHaveBeenCalledTimes(3);
  });

  it('does not wait when the device knows it is offline, nor retry a stopped sync', async () => {
    const offline = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(retryingFetch(offline, { delays: [1000], isOnline: () => false })('/api/x')).rejects.toThrow('Failed to fetch');
    expect(offline).toHaveBeenCalledTimes(1);

    const controller = new AbortController();
    controller.abort();
    const aborted = vi.fn().mockRejectedValue(new DOMException('stopped', 'AbortError'));
    await expect(retryingFetch(aborted, { delays: [1000] })('/api/x', { signal: controller.signal })).rejects.toThrow('stopped');
    expect(aborted).toHaveBeenCalledTimes(1);
  });

  it('returns error answers as they are, and leaves file downloads streaming', async () => {
    const refused = new Response('{"error":"forbidden","message":"No."}', { status: 403, headers: { 'Content-Type': 'application/json' } });
    const once = vi.fn().mockResolvedValue(refused);
    expect((await retryingFetch(once, { delays: [1] })('/api/x')).status).toBe(403);
    expect(once).toHaveBeenCalledTimes(1);

    const file = cutAnswer('image/png');
    const download = vi.fn().mockResolvedValue(file);
    expect(await retryingFetch(download, { delays: [1] })('/api/files/sha256/ab')).toBe(file);
    expect(download).toHaveBeenCalledTimes(1);
  });

  it('names a cut answer as a lost connection, not as a fault on this device', async () => {
    const client = centreClient(() => 't', '', async () => cutAnswer('application/json'));
    await expect(client.call('GET', '/api/x', z.object({}))).rejects.toMatchObject({ reason: 'offline', message: expect.stringContaining('connection was lost') });
  });
});
