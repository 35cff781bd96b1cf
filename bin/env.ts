// Imported first by the xlfs command, before anything touches libuv's thread pool: each FUSE reader
// parks a pool thread in read(2), so the pool needs room for them and for the file I/O the
// translators do (storage/posix). libuv reads this once, when the pool starts.
process.env.UV_THREADPOOL_SIZE ??= '16';
export {};
