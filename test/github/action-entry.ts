/**
 * The action's entry for tests: src/action-main.ts with time limits a test can wait for, passed
 * as JSON in argv[2] (never read from the environment, where a user could set them by mistake).
 */
import { startAction } from '../../src/action-top';

startAction(JSON.parse(process.argv[2] ?? '{}'));
