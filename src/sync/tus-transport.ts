import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client';
import type { FetchLike } from './api';

/**
 * tus-js-client's network and file adapters over `fetch` and `Blob`. Its defaults differ by build
 * (XHR in browsers, Node's http and fs under Node), so the app passes these everywhere: uploads in
 * the browser and in unit tests (against the fake centre) then run the same code.
 */

class FetchRequest implements HttpRequest {
  private readonly headers: Record<string, string> = {};
  private readonly controller = new AbortController();

  constructor(
    private readonly fetchImpl: FetchLike,
    private readonly method: string,
    private readonly url: string,
  ) {}

  getMethod() {
    return this.method;
  }
  getURL() {
    return this.url;
  }
  setHeader(header: string, value: string) {
    this.headers[header] = value;
  }
  getHeader(header: string) {
    return this.headers[header];
  }
  // Progress comes from onChunkComplete (bytes the centre confirmed), so per-request progress is not needed.
  setProgressHandler(): void {}

  async send(body: unknown = null): Promise<HttpResponse> {
    const response = await this.fetchImpl(this.url, {
      method: this.method,
      headers: this.headers,
      body: (body ?? null) as BodyInit | null,
      signal: this.controller.signal,
    });
    // tus reads the body synchronously, so it is read here, before the answer is handed over.
    const text = await response.text();
    return {
      getStatus: () => response.status,
      getHeader: (name: string) => response.headers.get(name) ?? undefined,
      getBody: () => text,
      getUnderlyingObject: () => response,
    };
  }

  async abort(): Promise<void> {
    this.controller.abort();
  }

  getUnderlyingObject() {
    return this.controller;
  }
}

export function fetchHttpStack(fetchImpl: FetchLike): HttpStack {
  return {
    createRequest: (method, url) => new FetchRequest(fetchImpl, method, url),
    getName: () => 'FetchHttpStack',
  };
}

/** Reads a Blob in slices: only one chunk is in memory at a time, however large the video. */
export const blobFileReader = {
  async openFile(input: Blob) {
    return {
      size: input.size,
      async slice(start: number, end: number) {
        return { value: input.slice(start, end), done: end >= input.size };
      },
      close() {},
    };
  },
};
