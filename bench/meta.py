# Metadata loop: create (open O_CREAT + close), stat and unlink N files; prints ops per second.
import os, sys, time
root, n = sys.argv[1], int(sys.argv[2])
d = os.path.join(root, 'meta')
os.makedirs(d, exist_ok=True)
t = time.perf_counter()
for i in range(n):
    p = os.path.join(d, 'f%d' % i)
    os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
    os.stat(p)
    os.unlink(p)
dt = time.perf_counter() - t
os.rmdir(d)
print('%.1f' % (3 * n / dt))
