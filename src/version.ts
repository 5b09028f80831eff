/** The tool's identity in reports. Named imports: the bundler inlines these two fields only. */
import { name, version } from '../package.json';

export const TOOL = { name, version };
