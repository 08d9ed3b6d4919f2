/**
 * Everything the benchmark starts registers how to stop it here. Cleanups run last-in first-out
 * when the run ends, fails, or is interrupted (SIGINT, SIGTERM, SIGHUP), so no server, browser
 * or temporary directory outlives `npm run bench`.
 */
type Cleanup = { name: string; fn: () => unknown };

const stack: Cleanup[] = [];
let running: Promise<void> | null = null;

export function onCleanup(name: string, fn: () => unknown): () => void {
  const entry = { name, fn };
  stack.push(entry);
  return () => {
    const i = stack.indexOf(entry);
    if (i >= 0) stack.splice(i, 1);
  };
}

async function withTimeout(p: Promise<unknown>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch((error: unknown) => console.error(`  cleanup "${name}" failed: ${error instanceof Error ? error.message : String(error)}`)),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        console.error(`  cleanup "${name}" took over ${ms} ms; moving on`);
        resolve();
      }, ms);
    }),
  ]);
  clearTimeout(timer);
}

export function runCleanups(): Promise<void> {
  running ??= (async () => {
    while (stack.length > 0) {
      const { name, fn } = stack.pop()!;
      await withTimeout(Promise.resolve().then(fn), 20_000, name);
    }
  })().finally(() => {
    running = null;
  });
  return running;
}

let installed = false;

export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  const exitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const signal of Object.keys(exitCodes) as NodeJS.Signals[])
    process.on(signal, () => {
      console.error(`\n${signal}: stopping everything the benchmark started…`);
      void runCleanups().finally(() => process.exit(exitCodes[signal]));
    });
  process.on('uncaughtException', (error) => {
    console.error('Uncaught exception:', error);
    void runCleanups().finally(() => process.exit(1));
  });
  process.on('unhandledRejection', (error) => {
    console.error('Unhandled rejection:', error);
    void runCleanups().finally(() => process.exit(1));
  });
}
