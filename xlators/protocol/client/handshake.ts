// Getting from a TCP connection to a brick that takes fops (client-handshake.c): find the brick's
// port through glusterd's portmapper when none is configured, DUMP the programs the brick serves,
// insist on GlusterFS 4.x v1, then SETVOLUME naming the brick (remote-subvolume) with a fresh
// process-uuid, so the brick keeps per-connection state (fds, locks) apart.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Dict } from '../../../runtime/dict.js';
import { errnoName } from '../../../runtime/errno.js';
import { RpcConnection, type RpcConnectionOptions, RpcError, type RpcProgramId } from '../../../runtime/rpc/connection.js';
import { XdrReader, XdrWriter } from '../../../runtime/rpc/xdr.js';
import {
  DumpProgram, GlusterFopProgram, HandshakeProgram, PortmapProgram,
} from '../../../generated/rpc-xdr.js';

export const GLUSTERD_PORT = 24007;
const CLIENT_VERSION = '10.3';

/** Why a brick would not take us; `final` when retrying cannot help (wrong brick name, auth). */
export class HandshakeError extends Error {
  constructor(
    message: string,
    readonly errno: number,
    readonly final: boolean,
  ) {
    super(message);
    this.name = 'HandshakeError';
  }
}

interface Encoder<T> {
  (w: XdrWriter, v: T): void;
}

/** One call and its decoded reply, as a promise (the handshake is rare and sequential). */
export function callOnce<Req, Rsp>(conn: RpcConnection, program: RpcProgramId, procedure: number, encode: Encoder<Req>, request: Req, decode: (r: XdrReader) => Rsp, what: string): Promise<Rsp> {
  const w = new XdrWriter();
  encode(w, request);
  return new Promise((resolve, reject) => {
    conn.call(program, procedure, null, w.finish(), null, (error, reply) => {
      if (error !== null) return reject(error);
      try {
        resolve(decode(reply!));
      } catch (e) {
        reject(new RpcError(`${what}: undecodable reply: ${(e as Error).message}`, 5));
      }
    }, what);
  });
}

export interface HandshakeSettings extends Omit<RpcConnectionOptions, 'port'> {
  port: number | null;
  remoteSubvolume: string;
  /** This translator's name: part of the process-uuid a brick logs. */
  clientName: string;
  reconnects: number;
  /** Extra SETVOLUME keys (the translator's own options ride along, as GlusterFS sends them). */
  extra: Record<string, string>;
  /** Told each step as it starts ("connecting to 127.0.0.1:49152" ...). */
  onStep?: (step: string) => void;
  /** Given each connection as it is made, so that a shutdown can close one still in the handshake. */
  onConnection?: (conn: RpcConnection) => void;
}

/** Ask glusterd on 24007 which port serves the brick. */
async function portByBrick(s: HandshakeSettings): Promise<number> {
  const conn = new RpcConnection({ ...s, port: GLUSTERD_PORT });
  s.onConnection?.(conn);
  await conn.open();
  try {
    const p = PortmapProgram.procedures.PORTBYBRICK;
    const rsp = await callOnce(conn, PortmapProgram, p.number, p.encodeRequest, { brick: s.remoteSubvolume }, p.decodeReply, 'PORTBYBRICK');
    if (rsp.opRet < 0) throw new HandshakeError(`glusterd on ${s.host} knows no running brick '${s.remoteSubvolume}'`, rsp.opErrno || 2, false);
    return rsp.port;
  } finally {
    conn.close('portmap done');
  }
}

/** Connect and hand back a connection that takes fops. */
export async function connectToBrick(s: HandshakeSettings): Promise<{ conn: RpcConnection; brickUuid: string }> {
  if (s.port === null) s.onStep?.(`asking glusterd on ${s.host}:${GLUSTERD_PORT} for the port of brick '${s.remoteSubvolume}'`);
  const port = s.port ?? (await portByBrick(s));
  s.onStep?.(`connecting to ${s.host}:${port}`);
  const conn = new RpcConnection({ ...s, port });
  s.onConnection?.(conn);
  await conn.open();
  try {
    s.onStep?.(`no answer yet from ${s.host}:${port} to DUMP (is it a glusterfsd brick?)`);
    const dump = DumpProgram.procedures.DUMP;
    const programs = await callOnce(conn, DumpProgram, dump.number, dump.encodeRequest, { gfsId: 0xcaed }, dump.decodeReply, 'DUMP');
    const fops = programs.prog.find((p) => Number(p.prognum) === GlusterFopProgram.number && Number(p.progver) === GlusterFopProgram.version);
    if (fops === undefined) {
      const offered = programs.prog.map((p) => `${p.progname} ${p.prognum}/${p.progver}`).join(', ');
      throw new HandshakeError(`${s.host}:${port} does not serve GlusterFS 4.x v1 (it offers: ${offered})`, 95, true);
    }
    const options = new Dict();
    for (const [k, v] of Object.entries(s.extra)) options.set(k, v);
    options.set('remote-subvolume', s.remoteSubvolume);
    options.set('process-uuid', `CTX_ID:${randomUUID()}-GRAPH_ID:0-PID:${process.pid}-HOST:${hostname()}-PC_NAME:${s.clientName}-RECON_NO:-${s.reconnects}`);
    options.set('fops-version', String(GlusterFopProgram.number));
    options.set('client-version', CLIENT_VERSION);
    options.set('process-name', 'xlfs');
    s.onStep?.(`no answer yet from ${s.host}:${port} to SETVOLUME`);
    const setvolume = HandshakeProgram.procedures.SETVOLUME;
    const rsp = await callOnce(conn, HandshakeProgram, setvolume.number, setvolume.encodeRequest, { dict: options }, setvolume.decodeReply, 'SETVOLUME');
    if (rsp.opRet < 0) {
      const reason = rsp.dict.getString('ERROR') ?? errnoName(rsp.opErrno);
      // A brick that is not there, or that refuses us, will not change its mind on a retry.
      const final = rsp.opErrno === 2 || rsp.opErrno === 13 || rsp.opErrno === 22;
      throw new HandshakeError(`brick ${s.host}:${port} refused remote-subvolume '${s.remoteSubvolume}': ${reason} (${errnoName(rsp.opErrno)})`, rsp.opErrno, final);
    }
    return { conn, brickUuid: rsp.dict.getString('process-uuid') ?? '' };
  } catch (e) {
    conn.close('handshake failed');
    throw e;
  }
}
