/** Entry of the bundled action (dist/index.js). */
import { startAction } from './action-top';

startAction();
