// Every translator xlfs ships, registered under its volfile type string. Importing this module is
// what makes the types known to a graph (the runtime never imports translators itself).
import { registerXlator } from '../runtime/registry.js';
import { ErrorGen } from './debug/error-gen/index.js';
import { PassThrough } from './debug/pass-through/index.js';
import { Trace } from './debug/trace/index.js';
import { Hello } from './examples/hello/index.js';
import { Utime } from './features/utime/index.js';
import { Posix } from './storage/posix/index.js';
import { WriteBehind } from './performance/write-behind/index.js';
import { MdCache } from './performance/md-cache/index.js';
import { QuickRead } from './performance/quick-read/index.js';
import { OpenBehind } from './performance/open-behind/index.js';
import { ReaddirAhead } from './performance/readdir-ahead/index.js';
import { IoThreads } from './performance/io-threads/index.js';
import { IoStats } from './debug/io-stats/index.js';
import { PosixAcl } from './system/posix-acl/index.js';
import { Meta } from './meta/index.js';
import { ProtocolClient } from './protocol/client/index.js';

registerXlator('storage/posix', Posix);
registerXlator('debug/trace', Trace);
registerXlator('debug/error-gen', ErrorGen);
registerXlator('debug/pass-through', PassThrough);
registerXlator('features/utime', Utime);
registerXlator('examples/hello', Hello);
registerXlator('performance/write-behind', WriteBehind);
registerXlator('performance/md-cache', MdCache);
registerXlator('performance/quick-read', QuickRead);
registerXlator('performance/open-behind', OpenBehind);
registerXlator('performance/readdir-ahead', ReaddirAhead);
registerXlator('performance/io-threads', IoThreads);
registerXlator('debug/io-stats', IoStats);
registerXlator('system/posix-acl', PosixAcl);
registerXlator('meta', Meta);
registerXlator('protocol/client', ProtocolClient);
