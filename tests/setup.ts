import 'fake-indexeddb/auto';
import { Blob as NodeBlob, File as NodeFile } from 'node:buffer';
import { afterEach } from 'vitest';

// fake-indexeddb stores values with Node's structuredClone, which can clone Node's Blob but not
// happy-dom's; in a browser, IndexedDB stores Blobs natively, so use the cloneable ones here.
Object.assign(globalThis, { Blob: NodeBlob, File: NodeFile });

afterEach(async () => {
  if (typeof document !== 'undefined') {
    const { cleanup } = await import('@testing-library/preact');
    cleanup();
  }
});
