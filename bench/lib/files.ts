import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRgbPng } from '../../tests/png';

/**
 * A real PNG of about `bytes` bytes: RGB sensor noise, which compresses as badly as a photo, so
 * the file is as large as a phone's. Different for every seed (no two runs share a hash).
 */
export function photoPng(bytes: number, seed: number): Buffer {
  const width = 2048;
  const height = Math.max(1, Math.round(bytes / (width * 3 + 1)));
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < raw.length; i++) {
    if (i % (width * 3 + 1) === 0) continue; // filter byte: none
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    raw[i] = s & 0xff;
  }
  return encodeRgbPng(width, height, raw, 1);
}

export function writePhoto(dir: string, name: string, bytes: number, seed: number): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, photoPng(bytes, seed));
  return path;
}
