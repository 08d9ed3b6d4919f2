import { Hono } from 'hono';
import type { AppEnv, Role, Services } from '../context';
import { adminRoutes } from './admin';
import { authRoutes } from './auth';
import { specRoutes } from './specs';

/** Accounts, administration and specs, mounted under /api by server/app.ts. */
export function accountRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route('/auth', authRoutes(services));
  app.route('/admin', adminRoutes(services));
  app.route('/specs', specRoutes(services));
  return app;
}

export type Access = 'public' | 'signed-in' | readonly Role[];

export interface RouteRule {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'ALL';
  /** As registered on the Hono app, with :params. */
  path: string;
  /** Who gets past the door: everyone, any signed-in user, or only these roles (others get 403). */
  access: Access;
  /** What the route may touch once past the door; ids outside it answer 404. */
  scope: string;
  /**
   * Set on entries written ahead of the routes they describe (the sync engineer's). The access
   * matrix fails if a route is registered and missing here, or listed here, not pending, and not
   * registered; the sync engineer removes `pending` once the entry matches their route.
   */
  pending?: 'sync';
}

const ADMIN = ['admin'] as const;

/**
 * Every route of the centre and who may call it. tests/faults/access-control.test.ts (fault suite 7) calls each
 * one as every role (and signed out, and as another centre's admin) and checks the answers
 * against this table, and fails if the app has a route that is not listed here.
 */
export const ROUTES: readonly RouteRule[] = [
  { method: 'GET', path: '/api/health', access: 'public', scope: 'none' },

  { method: 'POST', path: '/api/auth/sign-in', access: 'public', scope: 'none: email and password' },
  { method: 'POST', path: '/api/auth/sign-out', access: 'signed-in', scope: "the caller's own session" },
  { method: 'GET', path: '/api/auth/me', access: 'signed-in', scope: 'the caller' },
  { method: 'GET', path: '/api/auth/sessions', access: 'signed-in', scope: "the caller's own sessions" },
  { method: 'POST', path: '/api/auth/sessions/:id/revoke', access: 'signed-in', scope: "the caller's own sessions" },

  { method: 'GET', path: '/api/admin/users', access: ADMIN, scope: "the admin's centre" },
  { method: 'POST', path: '/api/admin/users', access: ADMIN, scope: "the admin's centre" },
  { method: 'PATCH', path: '/api/admin/users/:id', access: ADMIN, scope: "users of the admin's centre" },
  { method: 'PUT', path: '/api/admin/caseloads/:assessorId', access: ADMIN, scope: "assessors and learners of the admin's centre" },
  { method: 'GET', path: '/api/admin/enrolments', access: ADMIN, scope: "learners of the admin's centre" },
  { method: 'POST', path: '/api/admin/enrolments', access: ADMIN, scope: "learners of the admin's centre" },
  { method: 'GET', path: '/api/admin/specs', access: ADMIN, scope: "all specs; enrolment counts of the admin's centre" },
  { method: 'POST', path: '/api/admin/specs', access: ADMIN, scope: 'new versions only' },
  { method: 'GET', path: '/api/admin/users/:id/sessions', access: ADMIN, scope: "users of the admin's centre" },
  { method: 'POST', path: '/api/admin/sessions/:id/revoke', access: ADMIN, scope: "sessions of the admin's centre's users" },
  { method: 'POST', path: '/api/admin/evidence/:id/unlock', access: ADMIN, scope: "evidence of the admin's centre's learners; a reason is required and audited" },

  { method: 'GET', path: '/api/specs/:id/:version', access: 'signed-in', scope: 'published specs' },

  // Sync and files (server/routes/sync.ts, files.ts). Push answers every signed-in role with 200,
  // refusing each mutation outside the caller's write scope in its result.
  {
    method: 'POST',
    path: '/api/sync/push',
    access: 'signed-in',
    scope:
      "per mutation: a learner's own profile, enrolments and evidence; an assessor's own recorded evidence for caseload learners; signed decisions by assessors (caseload), learners (own declaration) and IQAs (their centre), never admins",
  },
  { method: 'GET', path: '/api/sync/pull', access: 'signed-in', scope: "records of the caller's centre in the caller's learner scope (server/scope.ts)" },
  { method: 'ALL', path: '/api/files/uploads', access: ['learner', 'assessor'], scope: "tus uploads: creates the caller's own upload" },
  { method: 'ALL', path: '/api/files/uploads/:id', access: ['learner', 'assessor'], scope: "tus uploads started by the caller; others' answer 404" },
  { method: 'GET', path: '/api/files/sha256/:hash', access: 'signed-in', scope: "files held for a learner in the caller's scope; others answer 404 (HEAD too)" },

  // Device signing keys and the audit trail (server/routes/keys.ts, audit.ts).
  { method: 'POST', path: '/api/keys', access: ['learner', 'assessor', 'iqa'], scope: "the caller's own key, tied to their current device session" },
  { method: 'GET', path: '/api/keys', access: 'signed-in', scope: "the caller's own keys; an admin: every key of their centre" },
  { method: 'POST', path: '/api/keys/:id/revoke', access: 'signed-in', scope: "the caller's own keys; an admin: keys of their centre (reason required); others answer 404" },
  { method: 'GET', path: '/api/audit', access: 'signed-in', scope: "entries about one learner's records (or one record) in the caller's learner scope (server/scope.ts); others answer 404" },

  // IQA sampling (server/routes/sampling.ts): IQAs write plans for their centre's assessors; admins read.
  { method: 'GET', path: '/api/iqa/assessors', access: ['iqa', 'admin'], scope: "assessors of the caller's centre (id, name)" },
  { method: 'GET', path: '/api/iqa/plans', access: ['iqa', 'admin'], scope: "sampling plans of the caller's centre" },
  { method: 'POST', path: '/api/iqa/plans', access: ['iqa'], scope: "a plan for an assessor of the IQA's centre; others answer 404" },
  { method: 'PUT', path: '/api/iqa/plans/:id', access: ['iqa'], scope: "the IQA's own plans at their centre (another IQA's: 403); other centres' answer 404" },
  { method: 'GET', path: '/api/iqa/plans/:id/sample', access: ['iqa', 'admin'], scope: "plans of the caller's centre; decision records in the caller's learner scope (server/scope.ts)" },
  { method: 'GET', path: '/api/iqa/locks', access: ['iqa', 'admin'], scope: "IQA-locked evidence in the caller's learner scope (server/scope.ts)" },

  // Exports for external quality assurance (server/routes/exports.ts): ZIPs, audited.
  { method: 'GET', path: '/api/exports/learners/:learnerId', access: ['admin', 'iqa', 'assessor'], scope: "a learner in the caller's learner scope (server/scope.ts: assessor caseload, IQA/admin centre); others answer 404" },
  { method: 'GET', path: '/api/exports/samples/:planId', access: ['admin', 'iqa'], scope: "sampling plans of the caller's centre; others answer 404" },
  { method: 'GET', path: '/api/exports/centre-key', access: 'signed-in', scope: "the public half and fingerprint of the caller's own centre's export signing key (made on first need)" },

  // Personal data (server/routes/personal-data.ts): subject access and erasure after retention, audited.
  { method: 'GET', path: '/api/personal-data/learners/:learnerId/export', access: ['learner', 'admin'], scope: "a learner: their own data only; an admin: learners of their centre; others answer 404" },
  { method: 'GET', path: '/api/personal-data/learners/:learnerId/erasure', access: ADMIN, scope: "learners of the admin's centre; others answer 404" },
  {
    method: 'POST',
    path: '/api/personal-data/learners/:learnerId/erase',
    access: ADMIN,
    scope: "learners of the admin's centre once their retention period is over (409 before); a reason and the learner's name are required; audited without naming them",
  },
];
