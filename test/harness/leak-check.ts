import { afterAll, afterEach, beforeEach } from 'vitest';
import { closeLeaks, enterTestScope, leaveTestScope, openResources } from './resources.js';

// Registered before any test file's hooks; with vitest's default "stack" hook order the after-hooks
// below therefore run last, after the test's own cleanup had its chance.

beforeEach((context) => {
  enterTestScope(context.task.id);
});

afterEach(async (context) => {
  leaveTestScope();
  const leaks = openResources({ scope: context.task.id });
  const error = await closeLeaks(leaks, `test "${context.task.name}"`);
  if (error) throw error;
});

afterAll(async () => {
  const error = await closeLeaks(openResources(), 'this test file (opened in beforeAll or at file level)');
  if (error) throw error;
});
