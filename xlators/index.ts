// Every translator xlfs ships, registered under its volfile type string. Importing this module is
// what makes the types known to a graph (the runtime never imports translators itself).
import { registerXlator } from '../runtime/registry.js';
import { ErrorGen } from './debug/error-gen/index.js';
import { PassThrough } from './debug/pass-through/index.js';
import { Trace } from './debug/trace/index.js';
import { Hello } from './examples/hello/index.js';
import { Utime } from './features/utime/index.js';
import { Posix } from './storage/posix/index.js';

registerXlator('storage/posix', Posix);
registerXlator('debug/trace', Trace);
registerXlator('debug/error-gen', ErrorGen);
registerXlator('debug/pass-through', PassThrough);
registerXlator('features/utime', Utime);
registerXlator('examples/hello', Hello);
