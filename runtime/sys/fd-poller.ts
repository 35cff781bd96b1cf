// Readiness of a file descriptor on Node's own event loop: a libuv uv_poll_t on the fd, through
// koffi, with the loop and libuv's functions taken from the node binary itself (it exports them for
// addons). Node has no public way to watch an arbitrary character device; without this, reading
// /dev/fuse means parking a libuv pool thread in read(2), and every request then costs that
// thread's wake-up, a hand-over to the main thread and the next read's submission: four context
// switches where the loop needs one.
import koffi from 'koffi';

const UV_POLL = 8; // uv_handle_type
const UV_READABLE = 1;

// The handle comes as an integer: as a `void *` koffi would wrap it in a new external object, with
// a global handle for the garbage collector to clear, on every callback.
const uvPollCallback = koffi.proto('void xlfs_uv_poll_cb(uintptr_t handle, int status, int events)');
const uvCloseCallback = koffi.proto('void xlfs_uv_close_cb(void *handle)');

type LibuvCalls = {
  defaultLoop: koffi.KoffiFunction;
  handleSize: koffi.KoffiFunction;
  pollInit: koffi.KoffiFunction;
  pollStart: koffi.KoffiFunction;
  pollStop: koffi.KoffiFunction;
  close: koffi.KoffiFunction;
  strerror: koffi.KoffiFunction;
};
let libuv: LibuvCalls | null = null;

/** libuv's functions from the running node binary; throws if this build does not export them. */
function uv(): LibuvCalls {
  if (libuv !== null) return libuv;
  const self = koffi.load(null as unknown as string);
  libuv = {
    defaultLoop: self.func('void *uv_default_loop()'),
    handleSize: self.func('size_t uv_handle_size(int type)'),
    pollInit: self.func('int uv_poll_init(void *loop, void *handle, int fd)'),
    pollStart: self.func('int uv_poll_start(void *handle, int events, xlfs_uv_poll_cb *cb)'),
    pollStop: self.func('int uv_poll_stop(void *handle)'),
    close: self.func('void uv_close(void *handle, xlfs_uv_close_cb *cb)'),
    strerror: self.func('const char *uv_strerror(int err)'),
  };
  return libuv;
}

/** Calls `onReadable` on the main thread whenever `fd` (non-blocking) has something to read. */
export class FdPoller {
  private handle: Buffer | null;
  private readonly callback: koffi.IKoffiRegisteredCallback;

  /** Whether this node binary lets us reach libuv (it exports its symbols in official builds). */
  static supported(): boolean {
    try {
      uv();
      return true;
    } catch {
      return false;
    }
  }

  /** Throws when libuv cannot be reached or cannot poll `fd`; nothing is left behind then. */
  constructor(fd: number, onReadable: () => void) {
    const calls = uv();
    // The handle must not move while libuv holds it: a buffer of its own, outside V8's heap.
    this.handle = Buffer.alloc(Number(calls.handleSize(UV_POLL)));
    this.callback = koffi.register((_h: unknown, status: number) => {
      // A status below zero is an error on the fd; the reader finds out what it is by reading.
      void status;
      onReadable();
    }, koffi.pointer(uvPollCallback));
    const initErr = calls.pollInit(calls.defaultLoop(), this.handle, fd) as number;
    if (initErr !== 0) {
      koffi.unregister(this.callback);
      throw new Error(`uv_poll_init on fd ${fd}: ${calls.strerror(initErr)}`);
    }
    const startErr = calls.pollStart(this.handle, UV_READABLE, this.callback) as number;
    if (startErr !== 0) {
      this.close();
      throw new Error(`uv_poll_start on fd ${fd}: ${calls.strerror(startErr)}`);
    }
  }

  /** Stop watching; the handle is released once libuv has closed it. */
  close(): void {
    const handle = this.handle;
    if (handle === null) return;
    this.handle = null;
    const calls = uv();
    calls.pollStop(handle);
    let closed: koffi.IKoffiRegisteredCallback | null = null;
    closed = koffi.register(() => {
      koffi.unregister(this.callback);
      if (closed !== null) koffi.unregister(closed);
      void handle; // kept alive until here
    }, koffi.pointer(uvCloseCallback));
    calls.close(handle, closed);
  }
}
