import { readFile } from 'node:fs/promises';
import { type AgentConfig, AgentConfigError, loadAgentConfig } from '../rules/agent-config.js';

/**
 * The agent config: the file given with `--config`, else the built-in defaults (the same values
 * as config/agent.config.example.json). Throws AgentConfigError naming the file and every problem.
 */
export async function readAgentConfig(path?: string): Promise<AgentConfig> {
  if (path === undefined) return loadAgentConfig('{}', 'built-in defaults');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new AgentConfigError(path, [
      `${path}: cannot be read (${code}); pass the path of an existing JSON file to --config`,
    ]);
  }
  return loadAgentConfig(text, path);
}
