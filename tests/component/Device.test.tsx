import { render, screen } from '@testing-library/preact';
import { LocationProvider } from 'preact-iso';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Device from '../../src/app/screens/Device';
import { freshDatabase } from '../db-fixture';

const realStorage = Object.getOwnPropertyDescriptor(navigator, 'storage');

beforeEach(async () => {
  await freshDatabase();
  let persisted = false;
  Object.defineProperty(navigator, 'storage', {
    configurable: true,
    value: {
      estimate: async () => ({ usage: 5 * 1024 * 1024, quota: 2 * 1024 * 1024 * 1024 }),
      persisted: async () => persisted,
      persist: async () => (persisted = true),
    },
  });
});

afterEach(() => {
  if (realStorage) Object.defineProperty(navigator, 'storage', realStorage);
  else delete (navigator as { storage?: unknown }).storage;
});

describe('Device screen', () => {
  it('shows storage used and free, and asks for persistent storage', async () => {
    render(
      <LocationProvider>
        <Device />
      </LocationProvider>,
    );
    const facts = await screen.findByTestId('storage-facts');
    expect(facts.textContent).toContain('5.0 MB');
    expect(facts.textContent).toContain('2.0 GB');
    screen.getByRole('button', { name: 'Ask to keep my data' }).click();
    expect(await screen.findByText(/will keep this data/)).toBeTruthy();
  });
});
