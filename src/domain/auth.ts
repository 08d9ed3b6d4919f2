import { z } from 'zod';

export const Role = z.enum(['learner', 'assessor', 'iqa', 'admin']);
export type Role = z.infer<typeof Role>;

export const Email = z.string().trim().toLowerCase().email('Enter an email address like name@example.org').max(254);
export const Password = z.string().min(10, 'Passwords have at least 10 characters').max(200, 'Passwords have at most 200 characters');

export const SignInRequest = z.object({
  email: Email,
  password: z.string().min(1, 'Enter your password').max(200),
  /** The device's own id (settings), so a session can be listed and revoked per device. */
  deviceId: z.string().uuid(),
  deviceLabel: z.string().trim().max(120).default(''),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

export const SessionUser = z.object({
  id: z.string().uuid(),
  name: z.string(),
  email: z.string(),
  role: Role,
  centreId: z.string().uuid(),
  centreName: z.string(),
});
export type SessionUser = z.infer<typeof SessionUser>;

export const SignInResponse = z.object({
  /** Opaque bearer token; the centre stores only its SHA-256. */
  token: z.string().min(32),
  sessionId: z.string().uuid(),
  expiresAt: z.string(),
  user: SessionUser,
});
export type SignInResponse = z.infer<typeof SignInResponse>;

export const DeviceSession = z.object({
  id: z.string().uuid(),
  deviceId: z.string(),
  deviceLabel: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  current: z.boolean(),
});
export type DeviceSession = z.infer<typeof DeviceSession>;

/** GET /api/auth/sessions and GET /api/admin/users/:id/sessions: newest first. */
export const DeviceSessionList = z.object({ sessions: z.array(DeviceSession) });
export type DeviceSessionList = z.infer<typeof DeviceSessionList>;

/** Device sessions last this long from their last use, so a device offline for weeks keeps working. */
export const DEVICE_SESSION_DAYS = 90;
