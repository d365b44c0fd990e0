import { parseArgs } from 'node:util';

export interface AgentArgs {
  /** The one positional argument (delivery folder or bundle dir). */
  target?: string;
  config?: string;
  json: boolean;
  dryRun: boolean;
  prune: boolean;
  help: boolean;
}

export type ParsedAgentArgs = { ok: true; args: AgentArgs } | { ok: false; problem: string };

export interface ArgSpec {
  /** Accept `--config F`; default false. */
  config?: boolean;
  /** Accept `--dry-run`; default false. */
  dryRun?: boolean;
  /** Accept `--prune`; default false. */
  prune?: boolean;
}

/**
 * Reads `<target> [--config F] [--dry-run] [--prune] [--json]` for the agent's commands, refusing flags the
 * command does not take (a typo such as `--dryrun` must not run a real ingest).
 */
export function parseAgentArgs(argv: readonly string[], spec: ArgSpec = {}): ParsedAgentArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        ...(spec.config ? { config: { type: 'string' as const } } : {}),
        ...(spec.dryRun ? { 'dry-run': { type: 'boolean' as const, default: false } } : {}),
        ...(spec.prune ? { prune: { type: 'boolean' as const, default: false } } : {}),
      },
    });
    if (positionals.length > 1) {
      return {
        ok: false,
        problem: `expected one folder, got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(' ')}; quote a name with spaces`,
      };
    }
    const config = values.config;
    return {
      ok: true,
      args: {
        ...(positionals[0] === undefined ? {} : { target: positionals[0] }),
        ...(typeof config === 'string' ? { config } : {}),
        json: values.json === true,
        dryRun: values['dry-run'] === true,
        prune: values.prune === true,
        help: values.help === true,
      },
    };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}
