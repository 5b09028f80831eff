/** The tool's identity in reports (package.json is inlined by the bundler). */
import pkg from '../package.json';

export const TOOL = { name: pkg.name, version: pkg.version };
