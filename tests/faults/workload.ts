import { createHash } from 'node:crypto';
import type { SimDevice } from './devices';
import { startDevice } from './devices';
import type { Ledger } from './sync-check';

/**
 * The people and the work of the sync fault suites: Jordan Ellis's phone and laptop and their
 * assessor Tom Okafor's tablet, signed in to a demo centre (server/seed.ts seeds it on first
 * start), and evidence made on them with the app's own functions, each text carrying a unique word
 * so the checks can find it (tests/faults/sync-check.ts).
 */

export const PEOPLE = {
  jordan: { email: 'jordan.ellis@demo-college.example.org', password: 'demo-jordan-4520' },
  tom: { email: 'tom.okafor@demo-college.example.org', password: 'demo-tom-4520' },
};

export interface Trio {
  phone: SimDevice;
  laptop: SimDevice;
  tablet: SimDevice;
  all: SimDevice[];
  learnerId: string;
  /** Jordan's enrolment and the criteria of its units. */
  enrolment: { id: string; learnerId: string; criteria: string[] };
  /** Evidence the centre held before the suite (the demo items). */
  preexisting: string[];
  close(): Promise<void>;
}

/** The three devices, signed in through the centre's sign-in route and synced once. */
export async function startTrio(baseUrl: string, centreUrl = baseUrl): Promise<Trio> {
  const [phone, laptop, tablet] = await Promise.all([
    startDevice('learner phone', baseUrl, centreUrl),
    startDevice('learner laptop', baseUrl, centreUrl),
    startDevice('assessor tablet', baseUrl, centreUrl),
  ]);
  const all = [phone!, laptop!, tablet!];
  try {
    const me = await phone!.call('signIn', PEOPLE.jordan.email, PEOPLE.jordan.password, true);
    await laptop!.call('signIn', PEOPLE.jordan.email, PEOPLE.jordan.password, false);
    await tablet!.call('signIn', PEOPLE.tom.email, PEOPLE.tom.password, false);
    for (let i = 0; i < 5; i++) {
      const outcomes = await Promise.all(all.map((d) => d.call('sync')));
      if (outcomes.every((o) => o.state === 'idle' && o.problem === null)) break;
    }
    const enrolment = await phone!.call('enrolment');
    const preexisting = (await Promise.all(all.map((d) => d.call('centreView')))).flatMap((view) => view.evidence.map((e) => e.id));
    return { phone: phone!, laptop: laptop!, tablet: tablet!, all, learnerId: me.userId, enrolment, preexisting, close: () => closeAll(all) };
  } catch (error) {
    await closeAll(all);
    throw error;
  }
}

async function closeAll(devices: SimDevice[]): Promise<void> {
  await Promise.all(devices.map((d) => d.close()));
}


/** Bytes like a photo's (incompressible), the same for the same seed. */
export function fileBytes(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let s = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    bytes[i] = s & 0xff;
  }
  return bytes;
}

let words = 0;
/** A unique word: what the checks look for in the centre's records. */
export function word(prefix: string, random: () => number): string {
  return `${prefix}${(++words).toString(36)}${Math.floor(random() * 36 ** 4).toString(36)}`;
}

export interface ItemPlan {
  /** Attachment sizes: mostly small, some over a chunk (256 KiB) so uploads stop part-way. */
  sizes: readonly number[];
}

/**
 * One item as a learner makes it on the add-evidence screen (or an assessor's observation on the
 * tablet): created with its text, then a file attached; returns its id. `shared` bytes (the same
 * photo picked on two devices) are stored once everywhere.
 */
export async function makeItem(device: SimDevice, trio: Trio, ledger: Ledger, random: () => number, shared: Uint8Array | null): Promise<string> {
  const title = word('t', random);
  const narrative = word('n', random);
  const criterion = trio.enrolment.criteria[Math.floor(random() * trio.enrolment.criteria.length)]!;
  const content = { title: `Evidence ${title}`, narrative: `I did ${narrative}.`, activityDate: '2026-03-02', hours: Math.floor(random() * 8), criterionIds: [criterion] };
  const id =
    device === trio.tablet
      ? await device.call('recordAssessorEvidence', trio.enrolment.id, 'observation', content)
      : await device.call('createEvidence', trio.enrolment.id, { ...content, method: 'portfolio-product' });
  ledger.created.set(id, device.name);
  ledger.typed.push({ device: device.name, itemId: id, value: title, kind: 'text' }, { device: device.name, itemId: id, value: narrative, kind: 'text' });
  const large = random() < 0.15;
  const size = large ? 300_000 + Math.floor(random() * 500_000) : 2_000 + Math.floor(random() * 60_000);
  const bytes = shared ?? fileBytes(size, Math.floor(random() * 2 ** 31));
  await device.call('addAttachment', id, { name: `photo-${title}.jpg`, type: 'image/jpeg', bytes });
  ledger.typed.push({ device: device.name, itemId: id, value: createHash('sha256').update(bytes).digest('hex'), kind: 'attachment' });
  return id;
}

/** A later edit of one of the device's own items: a sentence added to the narrative, as typed. */
export async function appendToNarrative(device: SimDevice, id: string, ledger: Ledger, random: () => number): Promise<void> {
  const item = await device.call('getEvidence', id);
  if (!item) throw new Error(`${device.name} lost item ${id}`);
  const more = word('e', random);
  await device.call('updateEvidence', id, { narrative: `${item.narrative} Then ${more}.` });
  ledger.typed.push({ device: device.name, itemId: id, value: more, kind: 'text' });
}
