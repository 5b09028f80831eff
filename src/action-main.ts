/** Entry of the bundled action (dist/index.js). */
import { runAction } from './main';

void runAction();
