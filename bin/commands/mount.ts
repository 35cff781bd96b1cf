// xlfs mount VOLFILE MOUNTPOINT: build and start the volfile's graph, mount it through FUSE, serve
// until unmounted or signalled. Without --foreground it runs as a daemon and returns once the mount
// is usable (or failed), as mount commands do.
import { spawn } from 'node:child_process';
import { openSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { FuseBridge, defaultBridgeOptions, type BridgeOptions } from '../../runtime/bridge/bridge.js';
import { setBusyPollWindow } from '../../runtime/busy-poll.js';
import { isFuseMounted } from '../../runtime/fuse/mount.js';
import { mountNative } from '../../runtime/fuse/native.js';
import { FuseSession, defaultSessionOptions, type FuseSessionOptions } from '../../runtime/fuse/session.js';
import { Graph, parseXlatorOption } from '../../runtime/graph.js';
import { Logger, parseLogLevel, processLog } from '../../runtime/log.js';
import { callPool } from '../../runtime/stack.js';
import { keepFreedBuffers } from '../../runtime/sys/libc.js';

export interface MountCommandOptions {
  foreground?: boolean;
  logFile?: string;
  logLevel?: string;
  o?: string[];
  xlatorOption?: string[];
}

const log = new Logger('mount');

/** -o a,b=c,... → key/value pairs (a bare flag is 'true'). */
export function parseMountOptions(list: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const group of list) {
    for (const item of group.split(',').map((s) => s.trim()).filter(Boolean)) {
      const eq = item.indexOf('=');
      out.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? 'true' : item.slice(eq + 1));
    }
  }
  return out;
}

const SESSION_FLAGS = new Set(['allow_other', 'default_permissions', 'ro', 'rw']);
const IGNORED = new Set(['defaults', 'auto', 'noauto', 'nofail', 'user', 'users', 'nouser', '_netdev', 'dev', 'nodev', 'suid', 'nosuid', 'exec', 'noexec', 'async', 'atime', 'noatime', 'relatime']);

export type Transport = 'dev' | 'fuse-native';

export function settingsFrom(options: Map<string, string>, volfile: string): { session: FuseSessionOptions; bridge: BridgeOptions; transport: Transport; busyPollUs: number } {
  let transport: Transport = 'dev';
  let busyPollUs = 0;
  const session: FuseSessionOptions = { ...defaultSessionOptions, fsname: volfile };
  const bridge: BridgeOptions = { ...defaultBridgeOptions };
  const number = (key: string, value: string, min = 0): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`-o ${key}=${value}: not a number >= ${min}`);
    return n;
  };
  const bool = (value: string) => !['false', 'off', 'no', '0'].includes(value.toLowerCase());
  for (const [key, value] of options) {
    switch (key) {
      case 'fsname': session.fsname = value; break;
      case 'allow_other': session.allowOther = bool(value); break;
      case 'default_permissions': session.defaultPermissions = bool(value); break;
      case 'ro': session.readOnly = bool(value); break;
      case 'rw': session.readOnly = !bool(value); break;
      case 'attribute-timeout': bridge.attributeTimeout = number(key, value); break;
      case 'entry-timeout': bridge.entryTimeout = number(key, value); break;
      case 'negative-timeout': bridge.negativeTimeout = number(key, value); break;
      case 'gid-timeout': bridge.gidTimeout = number(key, value); break;
      case 'direct-io-mode': bridge.directIo = bool(value); break;
      case 'fopen-keep-cache': bridge.keepCache = value === 'auto' ? 'auto' : bool(value); break;
      case 'kernel-writeback-cache': session.writebackCache = bool(value); break;
      case 'auto-invalidation': session.autoInvalData = bool(value); break;
      case 'reader-thread-count': session.readers = number(key, value, 0); break;
      case 'read-ahead-kb': session.readAheadKb = number(key, value, 0); break;
      case 'busy-poll-us': busyPollUs = Math.min(100_000, number(key, value, 0)); break;
      case 'max-write': session.maxWrite = Math.min(1 << 20, number(key, value, 4096)); break;
      case 'transport':
        if (value !== 'dev' && value !== 'fuse-native') throw new Error(`-o transport=${value}: use 'dev' (the kernel protocol over /dev/fuse, the default) or 'fuse-native' (libfuse 2, no root needed)`);
        transport = value;
        break;
      default:
        if (!IGNORED.has(key) && !SESSION_FLAGS.has(key)) throw new Error(`unknown mount option '${key}'`);
    }
  }
  return { session, bridge, transport, busyPollUs };
}

export async function mountCommand(volfile: string, mountpoint: string, options: MountCommandOptions): Promise<void> {
  const mnt = resolve(mountpoint);
  if (!statSync(mnt, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`mount point ${mnt} is not a directory`);
  const parsed = parseMountOptions(options.o ?? []);
  // Check everything a daemon would fail on before going to the background.
  settingsFrom(parsed, volfile);
  Graph.fromFile(volfile, { xlatorOptions: (options.xlatorOption ?? []).map(parseXlatorOption) });
  if (!options.foreground) return daemonize();

  if (options.logLevel) processLog.level = parseLogLevel(options.logLevel);
  if (options.logFile) processLog.file = options.logFile;
  try {
    await serve(volfile, mnt, parsed, options.xlatorOption ?? []);
  } catch (e) {
    // A daemon tells the command that started it why it gives up: its stderr goes nowhere.
    const send = process.send?.bind(process);
    if (send !== undefined) await new Promise((sent) => send({ failed: (e as Error).message }, undefined, {}, sent));
    // Whatever is still open (a brick that never answered) must not keep a failed mount alive.
    setTimeout(() => process.exit(1), 1000).unref();
    throw e;
  }
}

async function serve(volfile: string, mnt: string, parsed: Map<string, string>, xlatorOptions: string[]): Promise<void> {
  const { session: sessionOptions, bridge: bridgeOptions, transport, busyPollUs } = settingsFrom(parsed, volfile);
  // Process-wide: the event loop serves the FUSE device and every brick connection alike.
  keepFreedBuffers();
  setBusyPollWindow(busyPollUs);
  const graph = Graph.fromFile(volfile, { xlatorOptions: xlatorOptions.map(parseXlatorOption) });
  // As glusterfs does with --acl: a graph that enforces ACLs itself must see every access, so the
  // kernel's mode-bit check (which knows nothing of ACLs) is off unless asked for.
  if (!parsed.has('default_permissions') && graph.xlators.some((xl) => xl.type === 'system/posix-acl')) {
    sessionOptions.defaultPermissions = false;
    log.info('system/posix-acl in the graph: mounting without default_permissions');
  }
  await graph.activate();
  let state: 'up' | 'down';
  try {
    state = await graph.waitForChildState();
  } catch (e) {
    await graph.fini();
    throw e;
  }
  // The stock client mounts a volume whose bricks are down, answers ENOTCONN and serves once they
  // are back; so do we, but say so where the user looks.
  const warning = state === 'down' ? `mounted with nothing to serve yet (${graph.downReasons().join('; ')}): operations fail with ENOTCONN until it connects, which is retried every few seconds` : null;
  const bridge = new FuseBridge(graph, bridgeOptions);
  if (transport === 'fuse-native') return serveNative(bridge, graph, mnt, volfile, sessionOptions, bridgeOptions, warning);
  const session = await FuseSession.mount(mnt, bridge.handlers, sessionOptions);
  bridge.session = session;

  let stopping: Promise<void> | null = null;
  const stop = (why: string) => {
    stopping ??= (async () => {
      log.info(`${why}: unmounting ${mnt}`);
      try {
        await session.unmount();
      } catch (e) {
        log.error((e as Error).message);
      }
      // Translators flush what they hold (write-behind) before the process goes.
      await graph.fini();
      log.info(`stopped (${callPool.totalStacks} requests served)`);
      process.exit(0);
    })();
    return stopping;
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
  session.on('closed', () => void stop('the kernel closed the connection'));
  // One bad request must not take the mount down: log what escaped and keep serving.
  process.on('uncaughtException', (e) => log.critical(`uncaught: ${e.stack ?? e}`));
  process.on('unhandledRejection', (e) => log.critical(`unhandled rejection: ${(e as Error)?.stack ?? e}`));

  await session.ready();
  reportMounted(`mounted ${volfile} at ${mnt}`, warning);
}

/** Log the mount, and tell the command that started this daemon (with the warning it prints). */
function reportMounted(what: string, warning: string | null): void {
  log.info(what);
  if (warning !== null) log.warning(warning);
  process.send?.({ mounted: true, warning });
}

async function serveNative(bridge: FuseBridge, graph: Graph, mnt: string, volfile: string, s: FuseSessionOptions, b: BridgeOptions, warning: string | null): Promise<void> {
  const native = await mountNative(bridge, mnt, { fsname: s.fsname, allowOther: s.allowOther, attributeTimeout: b.attributeTimeout });
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${why}: unmounting ${mnt}`);
    await native.unmount();
    await graph.fini();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // libfuse's thread keeps the process alive; notice an external umount and leave with it.
  const watch = setInterval(() => {
    if (!isFuseMounted(mnt)) void stop('unmounted');
  }, 500);
  watch.unref();
  process.on('uncaughtException', (e) => log.critical(`uncaught: ${e.stack ?? e}`));
  reportMounted(`mounted ${volfile} at ${mnt} (fuse-native)`, warning);
}

/** Re-run this command in the foreground, detached, and return once it reports the mount ready. */
function daemonize(): Promise<void> {
  const args = [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), '--foreground'];
  const logFd = process.env.XLFS_DAEMON_LOG ? openSync(process.env.XLFS_DAEMON_LOG, 'a') : 'ignore';
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', logFd, logFd, 'ipc'] });
  return new Promise((resolvePromise, reject) => {
    let failed: string | null = null;
    child.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && 'failed' in message) {
        failed = String(message.failed);
        return;
      }
      child.disconnect();
      child.unref();
      const warning = typeof message === 'object' && message !== null && 'warning' in message ? message.warning : null;
      if (typeof warning === 'string') process.stderr.write(`xlfs: warning: ${warning}\n`);
      process.stdout.write(`${child.pid}\n`);
      resolvePromise();
    });
    child.once('exit', (code) => reject(new Error(failed ?? `the mount daemon exited (${code}) before the mount was ready; run with --foreground to see why`)));
  });
}
