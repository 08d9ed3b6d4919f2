import { render } from '@testing-library/preact';
import type { ComponentChildren } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import { vi } from 'vitest';
import { ServicesProvider, defaultServices, type AppServices } from '../../src/app/services';
import { db } from '../../src/data/db';
import { rememberSignIn, type DeviceSignIn } from '../../src/data/session';
import type { Enrolment } from '../../src/domain/enrolment';
import { emptyEvidenceContent, type Evidence } from '../../src/domain/evidence';
import { uuidv7 } from '../../src/domain/ids';
import type { QualificationSpec } from '../../src/domain/qualification';
import { centreClient, type FetchLike } from '../../src/sync/api';
import { createSyncStatusStore, type SyncStatus } from '../../src/sync/status';
import { freshDatabase } from '../db-fixture';

/** The assessor's tablet in tests: a small spec, two caseload learners, a signed-in assessor. */

export const HS = 'D/503/5549';
export const NET = 'J/601/3247';

export const SPEC = {
  kind: 'qualification',
  id: '4520-03',
  version: 1,
  title: 'ICT Professional Competence (Level 3)',
  awardingBody: 'City & Guilds',
  level: 3,
  accreditationNumber: '501/1788/9',
  credits: 15,
  guidedLearningHours: { min: 200, max: 400 },
  totalQualificationTime: 600,
  lastRegistrationDate: '2030-01-01',
  lastCertificationDate: '2032-01-01',
  rules: {
    minTotalCredits: 15,
    groups: [
      { id: 'm', title: 'Mandatory', kind: 'mandatory', unitIds: [HS], minCredits: null, maxCredits: null, provenance: 'verbatim' },
      { id: 'o', title: 'Optional', kind: 'optional', unitIds: [NET], minCredits: null, maxCredits: null, provenance: 'verbatim' },
    ],
    minCreditsAtOrAboveLevel: [],
    maxRestrictedCredits: null,
    note: '',
  },
  units: [
    {
      id: HS, number: null, reference: HS, title: 'Health and Safety in ICT', shortTitle: 'H&S in ICT', level: 3, credits: 9, glh: 45, mandatory: true,
      completeness: 'complete', sourceNote: '',
      outcomes: [
        { number: 1, title: 'Know the law', provenance: 'verbatim', criteria: [
          { id: `${HS}:1.1`, number: '1.1', text: 'Describe the main health and safety laws', provenance: 'verbatim' },
          { id: `${HS}:1.2`, number: '1.2', text: 'Explain how to carry out a risk assessment', provenance: 'verbatim' },
        ] },
      ],
    },
    {
      id: NET, number: null, reference: NET, title: 'Networking', shortTitle: 'Networking', level: 2, credits: 6, glh: 50, mandatory: false,
      completeness: 'complete', sourceNote: '',
      outcomes: [
        { number: 1, title: 'Understand networks', provenance: 'verbatim', criteria: [
          { id: `${NET}:1.1`, number: '1.1', text: 'Describe network topologies', provenance: 'verbatim' },
          { id: `${NET}:1.2`, number: '1.2', text: 'Explain TCP/IP addressing', provenance: 'verbatim' },
        ] },
      ],
    },
  ],
  sources: [],
  note: '',
} satisfies QualificationSpec;

export const ASSESSOR = {
  id: '00000000-0000-4000-8000-00000000a550',
  name: 'Tom Okafor',
  email: 'tom@example.org',
  role: 'assessor' as const,
  centreId: '00000000-0000-4000-8000-0000000000c1',
  centreName: 'Demo College',
};

export const SIGN_IN: DeviceSignIn = { token: 'x'.repeat(43), sessionId: '00000000-0000-4000-8000-0000000000d1', expiresAt: '2030-01-01T00:00:00Z', user: ASSESSOR };

export interface Learner {
  id: string;
  name: string;
  enrolment: Enrolment;
}

/** A learner pulled onto the tablet: profile and enrolment as the centre sends them. */
export async function seedLearner(name: string, employer: string, dates: { startDate: string; plannedEndDate: string }): Promise<Learner> {
  const id = uuidv7();
  const now = new Date().toISOString();
  await db().profile.put({ id, name, employer, updatedAt: now, serverRevision: 1 });
  const enrolment: Enrolment = {
    id: uuidv7(),
    learnerId: id,
    qualificationId: '4520-03',
    qualificationVersion: 1,
    optionalUnitIds: [NET],
    ...dates,
    plannedOffTheJobHoursPerWeek: 6,
    createdAt: now,
    updatedAt: now,
  };
  await db().enrolments.put({ ...enrolment, serverRevision: 1 });
  return { id, name, enrolment };
}

/** An item as a pull brings it: the learner's work, at the centre already. */
export async function seedEvidence(enrolmentId: string, fields: Partial<Evidence>): Promise<Evidence> {
  const now = new Date().toISOString();
  const item: Evidence = {
    ...emptyEvidenceContent(),
    title: 'Evidence',
    narrative: 'What I did',
    activityDate: '2026-03-02',
    method: 'portfolio-product',
    id: uuidv7(),
    enrolmentId,
    status: 'submitted',
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    serverRevision: 1,
    dirty: 0,
    conflicts: [],
    recordedBy: null,
    iqaLock: null,
    ...fields,
  };
  await db().evidence.put(item);
  return item;
}

export async function freshAssessorTablet(): Promise<void> {
  localStorage.clear();
  history.replaceState(null, '', '/');
  await freshDatabase();
  await db().frameworks.put({ key: '4520-03@1', id: '4520-03', version: 1, kind: 'qualification', spec: SPEC, storedAt: new Date().toISOString() });
  await rememberSignIn(SIGN_IN);
}

/** No centre to reach unless a test gives one: calls outside sync (the audit trail) fail as offline. */
const NO_CENTRE: FetchLike = async () => {
  throw new TypeError('Failed to fetch (no centre in this test)');
};

/** Services with the assessor signed in, a sync status the test sets, and calls outside sync going to `fetch`. */
export function assessorServices(status: Partial<SyncStatus> = {}, fetch: FetchLike = NO_CENTRE): AppServices {
  const base = defaultServices();
  const state = { signIn: SIGN_IN, databaseName: db().name };
  const client = centreClient(() => SIGN_IN.token, '', fetch);
  const account = {
    ...base.account,
    get: () => state,
    subscribe: () => () => undefined,
    client: () => client,
    endOn401: <T,>(call: Promise<T>) => call,
    keepAllOffline: async () => false,
    setKeepAllOffline: vi.fn(async () => undefined),
  } as AppServices['account'];
  const sync = { ...base.sync, status: createSyncStatusStore({ state: 'idle', ...status }), syncNow: vi.fn(async () => null), canDownload: () => false };
  return { account, sync };
}

export function renderRoutes(url: string, routes: Array<{ path: string; component: (props: never) => ComponentChildren }>, services = assessorServices()) {
  history.replaceState(null, '', url);
  return render(
    <ServicesProvider services={services}>
      <LocationProvider>
        <Router>
          {/* Unkeyed, as in App.tsx: two paths of one screen must not remount it. */}
          {routes.map((r) => (
            <Route {...({ path: r.path, component: r.component } as { path: string; component: () => null })} />
          ))}
          <Route default component={() => <p>Elsewhere: {location.pathname}</p>} />
        </Router>
      </LocationProvider>
    </ServicesProvider>,
  );
}

/** A real PNG data URL (1x1), what a canvas gives; happy-dom has no 2D canvas of its own. */
export const PNG_DATA_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/**
 * Gives canvases a 2D context that records calls and draws nothing, so the real signature_pad
 * runs; toDataURL answers a PNG once something was drawn, like a browser's would differ.
 */
export function stubCanvas(): { calls: string[] } {
  const calls: string[] = [];
  const ctx = new Proxy(
    {},
    {
      get(target: Record<string | symbol, unknown>, prop) {
        if (prop in target) return target[prop];
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return prop === 'measureText' ? { width: 10 } : prop === 'getImageData' ? { data: new Uint8ClampedArray(4) } : undefined;
        };
      },
      set(target: Record<string | symbol, unknown>, prop, value) {
        target[prop] = value;
        return true;
      },
    },
  );
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation((() => ctx) as never);
  vi.spyOn(HTMLCanvasElement.prototype, 'toDataURL').mockImplementation(() => PNG_DATA_URL);
  return { calls };
}
