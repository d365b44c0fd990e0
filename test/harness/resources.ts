/**
 * A registry of everything a test starts that must be stopped again: servers, watchers, consumers,
 * child processes, databases, temp dirs. `leak-check.ts` (a vitest setup file) fails the test — or
 * the file, for things started in `beforeAll` — that leaves an entry open, names it, and closes it
 * so one leak does not cascade into the next test.
 */

export type ResourceKind =
  | 'server'
  | 'watcher'
  | 'consumer'
  | 'process'
  | 'database'
  | 'temp-dir'
  | (string & {});

export interface TrackedResource {
  readonly kind: ResourceKind;
  readonly name: string;
  /** The test that opened it, or `undefined` when opened outside a test (beforeAll / file level). */
  readonly scope: string | undefined;
  readonly closed: boolean;
  /** Closes the resource (once) and removes it from the registry. */
  close(): Promise<void>;
  /** Removes it from the registry without closing, for owners that already stopped it themselves. */
  release(): void;
}

const open = new Set<TrackedResource>();
let currentScope: string | undefined;

export function trackResource(
  kind: ResourceKind,
  name: string,
  close: () => Promise<void> | void,
): TrackedResource {
  let closing: Promise<void> | undefined;
  const resource: TrackedResource = {
    kind,
    name,
    scope: currentScope,
    get closed() {
      return !open.has(resource);
    },
    close() {
      open.delete(resource);
      closing ??= Promise.resolve().then(close);
      return closing;
    },
    release() {
      open.delete(resource);
    },
  };
  open.add(resource);
  return resource;
}

/** Resources still open, optionally only those opened in one scope (a test name, or `undefined` for file level). */
export function openResources(filter?: { scope: string | undefined }): TrackedResource[] {
  const all = [...open];
  return filter === undefined ? all : all.filter((resource) => resource.scope === filter.scope);
}

export function describeResource(resource: TrackedResource): string {
  return `${resource.kind} "${resource.name}"`;
}

/** Called by leak-check.ts around each test so resources know which test opened them. */
export function enterTestScope(testName: string): void {
  currentScope = testName;
}

export function leaveTestScope(): void {
  currentScope = undefined;
}

/**
 * Closes every given resource (all of them, even when some fail) and returns an error naming the
 * leaks, or `undefined` when there were none.
 */
export async function closeLeaks(leaks: TrackedResource[], where: string): Promise<Error | undefined> {
  if (leaks.length === 0) return undefined;
  const failures: string[] = [];
  for (const leak of leaks) {
    try {
      await leak.close();
    } catch (error) {
      failures.push(`${describeResource(leak)}: ${(error as Error).message}`);
    }
  }
  const names = leaks.map(describeResource).join(', ');
  const closeNote = failures.length > 0 ? ` Closing failed for ${failures.join('; ')}.` : '';
  return new Error(
    `Leaked resource(s) left running by ${where}: ${names}. Stop them in the test (or an afterEach/afterAll hook) — they were closed now so later tests are not affected.${closeNote}`,
  );
}
