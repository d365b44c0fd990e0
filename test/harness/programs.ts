/**
 * The built programs, as a user starts them: `node <bin>` after `pnpm build` (the vitest global
 * set-up builds before any test runs). Tests start these, never the TypeScript sources, so what the
 * README tells a user to run is what the tests run.
 */
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `exercise-agent`: `pnpm agent …` runs `node ingest-agent/bin/exercise-agent.js …`. */
export const AGENT_BIN = `${ROOT}ingest-agent/bin/exercise-agent.js`;
/** `exercise-consumer`: `pnpm consumer …` runs `node render-consumer/bin/exercise-consumer.js …`. */
export const CONSUMER_BIN = `${ROOT}render-consumer/bin/exercise-consumer.js`;
