export interface Target {
  /** ours / reference must be at most this. */
  ratioMax?: number;
  /** ours (median) must be at most this, in the figure's unit. */
  absMax?: number;
  text: string;
}

/** One line of the results: our runs against the reference's runs, measured side by side. */
export interface Figure {
  name: string;
  unit: string;
  ours: number[];
  reference: number[] | null;
  referenceName: string;
  /** null: reported only (no target in the issue). */
  target: Target | null;
  /** What the figure is and is not, in a few words (printed under the table). */
  note?: string;
  /** Breakdowns and extra facts kept in results.json (not printed in the table). */
  detail?: Record<string, unknown>;
}

export interface Context {
  quick: boolean;
  /** Runs per measure (at least 3 in a full run). */
  runs: number;
  /** bench/.out: builds and scratch files. */
  out: string;
  /** The built app (with __bench/ pages). */
  appDir: string;
  log(message: string): void;
}
