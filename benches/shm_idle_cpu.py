"""Attaches N shared-memory clients to DiskDB (docs/shm-protocol.md), runs PING on each,
then leaves them idle and prints the server's CPU over 10 s (utime+stime from
/proc/PID/stat). Usage: python3 benches/shm_idle_cpu.py SOCKET_PATH SERVER_PID [N]"""
import mmap, os, socket, struct, sys, time
path, pid = sys.argv[1], int(sys.argv[2])
N = int(sys.argv[3]) if len(sys.argv) > 3 else 1
keep = []
for _ in range(N):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(b"*1\r\n$10\r\nSHM.ATTACH\r\n")
    msg, anc, flags, addr = s.recvmsg(16, socket.CMSG_SPACE(8))
    assert msg == b"+OK\r\n", msg
    fds = struct.unpack("2i", anc[0][2][:8])
    memfd, efd = fds
    seg = mmap.mmap(memfd, os.fstat(memfd).st_size)
    ring = struct.unpack_from("<I", seg, 12)[0]
    req = b"*1\r\n$4\r\nPING\r\n"
    seg[4096:4096 + len(req)] = req
    struct.pack_into("<Q", seg, 64, len(req))
    if struct.unpack_from("<I", seg, 320)[0] == 1:
        struct.pack_into("<I", seg, 320, 0)
        os.write(efd, struct.pack("<Q", 1))
    deadline = time.time() + 5
    while struct.unpack_from("<Q", seg, 192)[0] < 7 and time.time() < deadline:
        time.sleep(0.001)
    print("reply:", bytes(seg[4096 + ring:4096 + ring + 7]))
    struct.pack_into("<Q", seg, 256, 7)
    keep.append((s, seg))
time.sleep(1)
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
t0, c0 = time.time(), cpu()
time.sleep(10)
t1, c1 = time.time(), cpu()
hz = os.sysconf("SC_CLK_TCK")
print(f"server CPU over {t1 - t0:.1f} s with {N} idle attached client(s): {(c1 - c0) / hz:.2f} s = {100 * (c1 - c0) / hz / (t1 - t0):.2f}%")
