import { describe, expect, it } from 'vitest';
import { addDays, certificationCheck, daysBetween, formatDate, registrationCheck, todayIso } from '../../src/domain/dates';

const l4 = { id: '4520-04', lastRegistrationDate: '2023-12-31', lastCertificationDate: '2026-12-31' };
const l3 = { id: '4520-03', lastRegistrationDate: '2026-08-31', lastCertificationDate: '2029-08-31' };

describe('date helpers', () => {
  it('formats dates the British way without time-zone drift', () => {
    expect(formatDate('2026-12-31')).toBe('31 Dec 2026');
    expect(formatDate('2024-09-01')).toBe('1 Sep 2024');
    expect(formatDate('2024-01-01')).toBe('1 Jan 2024');
    expect(() => formatDate('31/12/2026')).toThrow(/YYYY-MM-DD/);
  });

  it('gives the local calendar date for today', () => {
    expect(todayIso(new Date(2024, 0, 5, 0, 30))).toBe('2024-01-05');
    expect(todayIso(new Date(2024, 11, 31, 23, 59))).toBe('2024-12-31');
  });

  it('adds days across month ends, leap days and clock changes', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2024-03-30', 2)).toBe('2024-04-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
  });

  it('counts whole days between dates', () => {
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('2024-03-30', '2024-04-01')).toBe(2);
    expect(daysBetween('2024-01-10', '2024-01-01')).toBe(-9);
    expect(daysBetween('2024-01-10', '2024-01-10')).toBe(0);
  });
});

describe('registrationCheck', () => {
  it('is closed when the start date is after the last registration date', () => {
    const check = registrationCheck(l4, '2024-01-05', '2024-01-05');
    expect(check.open).toBe(false);
    expect(check.message).toMatch(/^4520-04 closed to new registrations on 31 Dec 2023/);
    expect(check.message).toContain('5 Jan 2024');
  });

  it('is open, with a warning, for a learner registered before it closed', () => {
    const check = registrationCheck(l4, '2023-06-01', '2024-03-01');
    expect(check).toEqual({
      open: true,
      message: '4520-04 closed to new registrations on 31 Dec 2023: only learners registered by then can be added.',
    });
    expect(registrationCheck(l4, '2023-12-31', '2024-03-01').open).toBe(true);
  });

  it('is open without a message before the last registration date', () => {
    expect(registrationCheck(l3, '2025-09-01', '2025-08-15')).toEqual({ open: true, message: null });
  });
});

describe('certificationCheck', () => {
  it('is "after" when the planned end is after the last certification date', () => {
    const check = certificationCheck(l4, '2027-03-01', '2025-01-01');
    expect(check.level).toBe('after');
    expect(check.message).toBe(
      'Your planned end date, 1 Mar 2027, is after 31 Dec 2026, the last date a 4520-04 certificate can be issued. Plan to finish, with every unit assessed and claimed, before then.',
    );
  });

  it('is "near" within 90 days of the last certification date', () => {
    expect(certificationCheck(l4, '2026-11-30', '2026-10-01').level).toBe('ok');
    const near = certificationCheck(l4, '2026-11-30', '2026-10-02');
    expect(near.level).toBe('near');
    expect(near.message).toBe('Only 90 days are left until 31 Dec 2026, the last date a 4520-04 certificate can be issued: make sure all evidence is assessed and claimed in time.');
    expect(certificationCheck(l4, '2026-12-31', '2026-12-30').message).toMatch(/^Only 1 day is left until 31 Dec 2026/);
    expect(certificationCheck(l4, '2026-12-31', '2026-12-31').message).toMatch(/^Today is 31 Dec 2026/);
  });

  it('is "near" once the last certification date has passed', () => {
    expect(certificationCheck(l4, '2026-06-01', '2027-01-02')).toEqual({
      level: 'near',
      message: 'The last date a 4520-04 certificate could be issued was 31 Dec 2026, so it can no longer be certificated.',
    });
    expect(certificationCheck(l4, '2027-06-01', '2027-01-02').level).toBe('after');
  });

  it('is "ok" well before the date with a planned end in time', () => {
    expect(certificationCheck(l3, '2027-07-31', '2025-09-01')).toEqual({ level: 'ok', message: null });
  });
});
