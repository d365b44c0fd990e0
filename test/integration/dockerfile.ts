/**
 * A small reader of the Dockerfile instructions the release test checks (FROM, WORKDIR, COPY, RUN,
 * USER, STOPSIGNAL, HEALTHCHECK, EXPOSE, CMD): no Docker engine runs on the test machines, so the
 * test checks what an image would copy and run instead of building it. Line continuations and
 * comments are handled; anything else is kept as text.
 */

export interface DockerCopy {
  /** The `--from=` stage, when the copy is from another stage. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

export interface DockerStage {
  from: string;
  name: string | undefined;
  workdir: string | undefined;
  copies: DockerCopy[];
  runs: string[];
  user: string | undefined;
  stopSignal: string | undefined;
  healthcheck: string | undefined;
  cmd: string[] | undefined;
}

export interface Dockerfile {
  stages: DockerStage[];
  exposes: string[];
}

/** Joins continuation lines and drops comments and blank lines: one entry per instruction. */
function instructions(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push((pending + line).trim());
    pending = '';
  }
  if (pending !== '') lines.push(pending.trim());
  return lines;
}

function execForm(value: string): string[] {
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`expected the exec form (a JSON array of strings), got ${value}`);
  }
  return parsed;
}

export function parseDockerfile(text: string): Dockerfile {
  const stages: DockerStage[] = [];
  const exposes: string[] = [];
  for (const instruction of instructions(text)) {
    const [keyword = '', ...rest] = instruction.split(/\s+/);
    const value = instruction.slice(keyword.length).trim();
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      stages.push({
        from: rest[0] ?? '',
        name: rest[1]?.toUpperCase() === 'AS' ? rest[2] : undefined,
        workdir: undefined,
        copies: [],
        runs: [],
        user: undefined,
        stopSignal: undefined,
        healthcheck: undefined,
        cmd: undefined,
      });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) continue;
    if (upper === 'WORKDIR') stage.workdir = value;
    else if (upper === 'RUN') stage.runs.push(value);
    else if (upper === 'USER') stage.user = value;
    else if (upper === 'STOPSIGNAL') stage.stopSignal = value;
    else if (upper === 'HEALTHCHECK') stage.healthcheck = value;
    else if (upper === 'EXPOSE') exposes.push(...rest);
    else if (upper === 'CMD') stage.cmd = execForm(value);
    else if (upper === 'COPY') {
      const flags = rest.filter((part) => part.startsWith('--'));
      const paths = rest.filter((part) => !part.startsWith('--'));
      const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
      stage.copies.push({ from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' });
    }
  }
  return { stages, exposes };
}
