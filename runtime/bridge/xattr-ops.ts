// FUSE requests on extended attributes: SETXATTR, GETXATTR, LISTXATTR, REMOVEXATTR. A zero size
// asks only for the length; a buffer too small for the value is ERANGE, as the syscalls expect.
import { encodeFuseGetxattrOut, FUSE_GETXATTR_OUT_SIZE } from '../../generated/fuse-abi.js';
import type { FuseHandlers } from '../../generated/fuse-opcodes.js';
import { Fop } from '../../generated/fops.js';
import { windGetxattr, windRemovexattr, windSetxattr } from '../../generated/wind.js';
import { Dict } from '../dict.js';
import { Errno } from '../errno.js';
import type { FuseBridge } from './bridge.js';

export function xattrHandlers(b: FuseBridge): Partial<FuseHandlers> {
  const answer = (unique: number, value: Buffer, size: number) => {
    if (size === 0) {
      const out = b.session!.replyBuffer(FUSE_GETXATTR_OUT_SIZE);
      encodeFuseGetxattrOut(out, 16, { size: value.length });
      return b.session!.send(unique, out);
    }
    if (value.length > size) return b.reply.error(unique, Errno.ERANGE);
    b.reply.data(unique, [value]);
  };

  return {
    setxattr(h, req) {
      const loc = b.inodeLoc(h.nodeid);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      const dict = new Dict([[req.name, Buffer.from(req.value.subarray(0, req.size))]]);
      windSetxattr(b.stack(h, Fop.SETXATTR), (f, _c, _x, opRet, opErrno) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        b.reply.empty(h.unique);
      }, b.top, loc, dict, req.flags, null);
    },

    getxattr(h, req) {
      const loc = b.inodeLoc(h.nodeid);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windGetxattr(b.stack(h, Fop.GETXATTR), (f, _c, _x, opRet, opErrno, dict) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        const value = dict?.getBuffer(req.name);
        if (value === undefined) return b.reply.error(h.unique, Errno.ENODATA);
        answer(h.unique, value, req.size);
      }, b.top, loc, req.name, null);
    },

    listxattr(h, req) {
      const loc = b.inodeLoc(h.nodeid);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windGetxattr(b.stack(h, Fop.GETXATTR), (f, _c, _x, opRet, opErrno, dict) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        const names = [...(dict?.keys() ?? [])].map((k) => k + '\0').join('');
        answer(h.unique, Buffer.from(names), req.size);
      }, b.top, loc, '', null);
    },

    removexattr(h, req) {
      const loc = b.inodeLoc(h.nodeid);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windRemovexattr(b.stack(h, Fop.REMOVEXATTR), (f, _c, _x, opRet, opErrno) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        b.reply.empty(h.unique);
      }, b.top, loc, req.name, null);
    },
  };
}
