import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { useState } from 'preact/hooks';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SignaturePad } from '../../src/app/components/SignaturePad';
import { SignOffPanel } from '../../src/app/components/SignOffPanel';
import { PNG_DATA_URL, stubCanvas } from './assessor-fixture';

function Harness({ onChange }: { onChange: (v: string | null) => void }) {
  const [value, setValue] = useState<string | null>(null);
  return (
    <SignaturePad
      id="pad"
      label="Your signature"
      signerName="Tom Okafor"
      value={value}
      onChange={(v) => {
        setValue(v);
        onChange(v);
      }}
    />
  );
}

let canvas: { calls: string[] };
beforeEach(() => {
  canvas = stubCanvas();
});
afterEach(() => vi.restoreAllMocks());

describe('SignaturePad', () => {
  it('labels the drawing area and says whether it is signed', () => {
    render(<Harness onChange={() => undefined} />);
    const area = screen.getByRole('img', { name: 'Your signature' });
    expect(area.tagName).toBe('CANVAS');
    expect(area.getAttribute('aria-describedby')).toContain('pad-hint');
    expect(screen.getByRole('status').textContent).toBe('Not signed yet.');
    expect((screen.getByRole('button', { name: /^Clear/ }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('signs from the keyboard by writing the signer’s name, and Clear empties it', async () => {
    const user = userEvent.setup();
    const changes: Array<string | null> = [];
    render(<Harness onChange={(v) => changes.push(v)} />);
    await user.click(screen.getByRole('button', { name: 'Sign with keyboard as Tom Okafor' }));
    expect(canvas.calls).toContain('fillText');
    expect(changes.at(-1)).toBe(PNG_DATA_URL);
    expect(screen.getByRole('status').textContent).toBe('Signed by Tom Okafor.');

    await user.click(screen.getByRole('button', { name: 'Clear Your signature' }));
    expect(changes.at(-1)).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('Not signed yet.');
    expect((screen.getByRole('button', { name: /^Clear/ }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('takes a drawn stroke from the pointer', async () => {
    const changes: Array<string | null> = [];
    render(<Harness onChange={(v) => changes.push(v)} />);
    const area = screen.getByRole('img', { name: 'Your signature' });
    const at = (type: string, x: number, y: number) =>
      area.dispatchEvent(new PointerEvent(type, { bubbles: true, clientX: x, clientY: y, pointerId: 1, button: 0, buttons: 1, pointerType: 'pen', isPrimary: true }));
    at('pointerdown', 10, 10);
    // signature_pad listens for moves and the end of the stroke on the document once a stroke starts.
    for (const [x, y] of [[20, 14], [40, 22], [60, 18]] as const)
      document.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, clientX: x, clientY: y, pointerId: 1, buttons: 1, pointerType: 'pen', isPrimary: true }));
    document.dispatchEvent(new PointerEvent('pointerup', { bubbles: true, clientX: 60, clientY: 18, pointerId: 1, pointerType: 'pen', isPrimary: true }));
    await waitFor(() => expect(changes.at(-1)).toBe(PNG_DATA_URL));
  });

  it('shows a saved signature as an image until it is cleared', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<SignaturePad id="saved" label="Witness's signature" signerName="Dana Lee" value={PNG_DATA_URL} onChange={onChange} />);
    expect(screen.getByRole('img', { name: 'Signature of Dana Lee' }).getAttribute('src')).toBe(PNG_DATA_URL);
    await user.click(screen.getByRole('button', { name: /Clear and sign again/ }));
    expect(onChange).toHaveBeenCalledWith(null);
  });
});

describe('SignOffPanel', () => {
  it('will not sign without a drawn signature, then signs with it and shows failures in words', async () => {
    const user = userEvent.setup();
    const onSign = vi.fn(async (_png: string) => {
      throw new Error('The learner changed this item after you reviewed it: sync and review it again.');
    });
    render(
      <SignOffPanel id="t" heading="Sign off this evidence" summary={[{ label: 'Outcome', value: 'Accepted' }]} signerLabel="Your signature" signerName="Tom Okafor" confirmLabel="Sign off" onSign={onSign} />,
    );
    expect(screen.getByText('Accepted')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Sign off' }));
    expect(onSign).not.toHaveBeenCalled();
    expect(screen.getByText('Sign in the box above before you confirm.')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: /Sign with keyboard/ }));
    await user.click(screen.getByRole('button', { name: 'Sign off' }));
    expect(onSign).toHaveBeenCalledWith(PNG_DATA_URL);
    expect((await screen.findByRole('alert')).textContent).toContain('The learner changed this item after you reviewed it');
  });
});

describe('assessor screens CSS', () => {
  const css = readFileSync(resolve(process.cwd(), 'src/app/styles.css'), 'utf8');
  it('gives every button, link button, field and checkbox row at least 44px and a visible focus ring', () => {
    expect(css).toMatch(/--touch:\s*44px/);
    expect(css).toMatch(/\.button, button\.button, a\.button \{[^}]*min-height: var\(--touch\)/);
    expect(css).toMatch(/\.check, \.field label\.check \{[^}]*min-height: var\(--touch\)/);
    expect(css).toMatch(/\.field select, \.field textarea \{[^}]*min-height: var\(--touch\)/);
    expect(css).toMatch(/\.caseload-link \{[^}]*min-height: var\(--touch\)/);
    expect(css).toMatch(/\.standalone-link \{[^}]*min-height: var\(--touch\)/);
    expect(css).toMatch(/:focus-visible \{[^}]*outline: 3px solid var\(--focus\)/);
    // Nothing in the assessor section takes the focus ring away.
    const section = css.slice(css.indexOf('/* assessor:'));
    expect(section).not.toMatch(/outline:\s*(none|0)/);
    // The signature canvas must not scroll the page while someone signs on it.
    expect(section).toMatch(/\.signature-canvas \{[^}]*touch-action: none/);
  });
});
