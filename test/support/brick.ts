// Real GlusterFS bricks for tests: glusterfsd (Debian's glusterfs-server) started on 127.0.0.1
// from a brick volfile of our own (storage/posix, features/locks, debug/io-stats named after the
// brick path, protocol/server), no glusterd. Each brick has its own directory and port; stop()
// ends only the process we started, by its PID.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function requireGlusterfsd(): void {
  if (!existsSync('/usr/sbin/glusterfsd')) throw new Error('glusterfsd is missing: install glusterfs-server (.ci/run does)');
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class Brick {
  private process: ChildProcess | null = null;

  private constructor(
    /** Scratch directory holding the brick, its volfile and its log. */
    readonly dir: string,
    /** The brick path: what a client names as remote-subvolume. */
    readonly path: string,
    readonly port: number,
  ) {}

  /** A fresh brick under `parent` (default: the temporary directory), started unless `start` is false. */
  static async create(options: { ctime?: boolean; parent?: string; start?: boolean } = {}): Promise<Brick> {
    requireGlusterfsd();
    const dir = mkdtempSync(join(options.parent ?? tmpdir(), 'xlfs-brick-'));
    const path = join(dir, 'brick');
    mkdirSync(path);
    const brick = new Brick(dir, path, await freePort());
    writeFileSync(join(dir, 'brick.vol'), brick.volfile(options.ctime ?? true));
    if (options.start !== false) await brick.start();
    return brick;
  }

  private volfile(ctime: boolean): string {
    return `volume brick-posix
    type storage/posix
    option directory ${this.path}
    option ctime ${ctime ? 'on' : 'off'}
end-volume

volume brick-locks
    type features/locks
    subvolumes brick-posix
end-volume

volume ${this.path}
    type debug/io-stats
    subvolumes brick-locks
end-volume

volume brick-server
    type protocol/server
    option transport-type tcp
    option transport.socket.listen-port ${this.port}
    option transport.socket.bind-address 127.0.0.1
    option auth.addr.${this.path}.allow 127.0.0.1
    subvolumes ${this.path}
end-volume
`;
  }

  get log(): string {
    const file = join(this.dir, 'brick.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Start glusterfsd in the foreground (-N) and wait until it accepts connections. */
  async start(): Promise<void> {
    if (this.process !== null) return;
    const child = spawn('/usr/sbin/glusterfsd', ['-N', '-f', join(this.dir, 'brick.vol'), '-l', join(this.dir, 'brick.log'), '--brick-name', this.path, '--brick-port', String(this.port)], {
      stdio: 'ignore',
    });
    this.process = child;
    child.once('exit', () => {
      if (this.process === child) this.process = null;
    });
    const deadline = Date.now() + 15_000;
    while (!(await this.listening())) {
      if (this.process === null) throw new Error(`glusterfsd exited at start:\n${this.log.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`glusterfsd did not listen on ${this.port}:\n${this.log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private listening(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true)); // taken: the brick has it
      s.listen(this.port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
  }

  /** Kill the brick (SIGKILL: as a crash would) and wait for it to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.process;
    if (child === null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
    this.process = null;
  }

  /** SIGSTOP / SIGCONT: a brick that stops answering without closing its connections. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  async remove(): Promise<void> {
    this.resume();
    await this.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
