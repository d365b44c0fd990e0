import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The JSON files under `infra/definitions/` are the single source of the topology: Terraform reads
 * them with `file()`/`templatefile()` and the local bootstrap reads them here. Placeholders are
 * `${name}` and are filled by plain text substitution, which is exactly what `templatefile()` does
 * for a template that only interpolates variables — so both sides produce the same document.
 */
export const DEFINITIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'definitions');

/** Every definition file, relative to DEFINITIONS_DIR (the Terraform module references each one). */
export const DEFINITION_FILES = {
  eventPattern: 'event-pattern.json',
  queues: 'queues.json',
  bucket: 'bucket.json',
  queuePolicy: 'queue-policy.json',
  dlqRedriveAllowPolicy: 'dlq-redrive-allow-policy.json',
  composerReadPolicy: 'policies/composer-read.json',
  ingestAgentPolicy: 'policies/ingest-agent.json',
  ingestAgentPrunePolicy: 'policies/ingest-agent-prune.json',
  renderConsumerPolicy: 'policies/render-consumer.json',
  consumerTask: 'consumer-task.json',
  agentNotices: 'agent-notices.json',
  agentNoticesPattern: 'agent-notices-pattern.json',
  ingestAgentNoticesPolicy: 'policies/ingest-agent-notices.json',
} as const;

export type DefinitionName = keyof typeof DEFINITION_FILES;

export class DefinitionError extends Error {
  readonly code = 'INFRA_DEFINITION_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DefinitionError';
  }
}

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const PLACEHOLDER_NAME = /^[a-z_][a-z0-9_]*$/;

/** Names of the `${…}` placeholders a template uses, in order of first appearance. */
export function placeholdersIn(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) names.add(match[1] ?? '');
  return [...names];
}

/**
 * Fills `${name}` placeholders the way Terraform's `templatefile()` does: every placeholder must be
 * given (templatefile fails on an unknown variable too), and only bare variable names are allowed
 * so no Terraform-only expression can sneak into a definition the bootstrap cannot evaluate.
 */
export function fillPlaceholders(
  template: string,
  vars: Readonly<Record<string, string>>,
  file: string,
): string {
  for (const name of placeholdersIn(template)) {
    if (!PLACEHOLDER_NAME.test(name)) {
      throw new DefinitionError(
        `${file}: placeholder \${${name}} is not a plain variable name; use lower_snake_case names only so Terraform and the local bootstrap fill it the same way`,
      );
    }
    if (vars[name] === undefined) {
      throw new DefinitionError(
        `${file}: placeholder \${${name}} has no value; pass "${name}" when loading this definition (Terraform: add it to the templatefile() map)`,
      );
    }
  }
  if (template.includes('%{')) {
    throw new DefinitionError(
      `${file}: template directives (%{…}) are not supported; keep definitions plain JSON`,
    );
  }
  return template.replace(PLACEHOLDER, (_all, name: string) => vars[name] ?? '');
}

/** Reads a definition file as text (no substitution). */
export function readDefinitionText(name: DefinitionName, dir: string = DEFINITIONS_DIR): string {
  const file = join(dir, DEFINITION_FILES[name]);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new DefinitionError(`${file}: cannot read the definition; restore it from version control`, {
      cause: error,
    });
  }
}

/** Reads a definition, fills its placeholders and parses the JSON result. */
export function loadDefinition(
  name: DefinitionName,
  vars: Readonly<Record<string, string>> = {},
  dir: string = DEFINITIONS_DIR,
): unknown {
  const file = DEFINITION_FILES[name];
  const text = fillPlaceholders(readDefinitionText(name, dir), vars, file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DefinitionError(`${file}: not valid JSON after filling placeholders; fix the file's syntax`, {
      cause: error,
    });
  }
}
