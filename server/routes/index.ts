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
 * Every route of the centre and who may call it. tests/server/access-matrix.test.ts calls each
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

  { method: 'GET', path: '/api/specs/:id/:version', access: 'signed-in', scope: 'published specs' },

  // Sync and files (server/routes/sync.ts, files.ts). Push answers every signed-in role with 200,
  // refusing each mutation outside the caller's write scope in its result (only learners write yet).
  { method: 'POST', path: '/api/sync/push', access: 'signed-in', scope: "per mutation: a learner's own profile, enrolments and their evidence" },
  { method: 'GET', path: '/api/sync/pull', access: 'signed-in', scope: "records of the caller's centre in the caller's learner scope (server/scope.ts)" },
  { method: 'ALL', path: '/api/files/uploads', access: ['learner'], scope: "tus uploads: creates the caller's own upload" },
  { method: 'ALL', path: '/api/files/uploads/:id', access: ['learner'], scope: "tus uploads started by the caller; others' answer 404" },
  { method: 'GET', path: '/api/files/sha256/:hash', access: 'signed-in', scope: "files held for a learner in the caller's scope; others answer 404 (HEAD too)" },
];
