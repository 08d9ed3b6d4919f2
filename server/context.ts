import type { Database } from './db/database';

export const ROLES = ['learner', 'assessor', 'iqa', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, established from the bearer token on every /api request but sign-in and health. */
export interface Caller {
  userId: string;
  centreId: string;
  role: Role;
  name: string;
  email: string;
  sessionId: string;
  deviceId: string;
}

export type AppEnv = { Variables: { caller: Caller } };

/** What routes need from the outside world, passed in so tests can swap each piece. */
export interface Services {
  db: Database;
  /** Where attachment bytes are kept (content-addressed) and tus keeps partial uploads. */
  filesDir: string;
  now: () => Date;
}
