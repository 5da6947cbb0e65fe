#!/usr/bin/env python3
"""Exec-worker boot: a Spring Boot fat jar, exec to first HTTP 200, with the Prefork agent (socket passed at fd 0
by a stand-in master, as the real one does) and alone on its own port. Prints one "KEY value" line per figure.

usage: exec_boot_probe.py JAVA AGENT_JAR APP_JAR RUNS
"""
import os, re, socket, statistics, struct, subprocess, sys, tempfile, threading, time

JAVA, AGENT, APP, RUNS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"


def first_200(sock):
    sock.sendall(REQUEST)
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed before a status line")
        data += chunk
    status = data.split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        raise RuntimeError("status %r" % status)


def cpu_ms(pid):
    """CPU time (user + system) the process has used so far: a figure the machine's load moves less than wall time."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def read_frame(conn, buf):
    while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
        chunk = conn.recv(4096)
        if not chunk:
            raise RuntimeError("control socket closed")
        buf += chunk
    n = struct.unpack(">H", buf[:2])[0]
    return buf[2:2 + n], buf[2 + n:]


def with_agent():
    d = tempfile.mkdtemp(prefix="exec-boot-")
    path = os.path.join(d, "control.sock")
    control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    control.bind(path)
    control.listen(1)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.setblocking(False)  # as the real master keeps it
    port = listener.getsockname()[1]
    t0 = time.monotonic()
    p = subprocess.Popen([JAVA, "-javaagent:%s=control=%s,worker=1" % (AGENT, path), "-jar", APP],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    p.stdin.write(b"bench-secret\n")
    p.stdin.flush()
    err_lines = []
    threading.Thread(target=lambda: err_lines.extend(l.decode(errors="replace") for l in p.stderr), daemon=True).start()
    # The listener exists before the JVM does: connect now, the request waits in the backlog, no polling.
    client = socket.create_connection(("127.0.0.1", port))
    result = {}

    def control_side():
        conn, _ = control.accept()
        buf = b""
        _, buf = read_frame(conn, buf)                        # Hello
        socket.send_fds(conn, [b"\0"], [listener.fileno()])
        _, buf = read_frame(conn, buf)                        # SocketsReceived
        body, buf = read_frame(conn, buf)
        if body[:1] == b"\x03":
            result["ready"] = time.monotonic() - t0
        result["conn"] = conn

    t = threading.Thread(target=control_side, daemon=True)
    t.start()
    first_200(client)
    elapsed = time.monotonic() - t0
    cpu = cpu_ms(p.pid)
    t.join(30)
    p.terminate()
    p.wait(30)
    client.close()
    listener.close()
    control.close()
    os.unlink(path)
    os.rmdir(d)
    premain = next((float(m.group(1)) for l in err_lines for m in [re.search(r"premain ([0-9.]+) ms", l)] if m), -1)
    return elapsed * 1000, result.get("ready", -1) * 1000, premain, cpu


def alone():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    t0 = time.monotonic()
    p = subprocess.Popen([JAVA, "-jar", APP, "--server.port=%d" % port, "--server.address=127.0.0.1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    refused = 0
    while True:
        try:
            client = socket.create_connection(("127.0.0.1", port))
            break
        except ConnectionRefusedError:
            refused += 1
            time.sleep(0.005)
    first_200(client)
    elapsed = time.monotonic() - t0
    cpu = cpu_ms(p.pid)
    client.close()
    p.terminate()
    p.wait(30)
    return elapsed * 1000, refused, cpu


agent_runs, alone_runs = [], []
for i in range(RUNS):  # interleaved, so drifting machine load hits both alike
    agent_runs.append(with_agent())
    alone_runs.append(alone())
    print("run %d: agent first-200 %.0f ms (Ready %.0f ms, premain %.1f ms, CPU %.0f ms); alone first-200 %.0f ms "
          "(%d refused connects, CPU %.0f ms)" % (i + 1, agent_runs[-1][0], agent_runs[-1][1], agent_runs[-1][2],
                                                  agent_runs[-1][3], alone_runs[-1][0], alone_runs[-1][1], alone_runs[-1][2]),
          file=sys.stderr)
print("AGENT_FIRST_200_MS %.0f" % statistics.median(r[0] for r in agent_runs))
print("AGENT_READY_MS %.0f" % statistics.median(r[1] for r in agent_runs))
print("AGENT_PREMAIN_MS %.1f" % statistics.median(r[2] for r in agent_runs))
print("ALONE_FIRST_200_MS %.0f" % statistics.median(r[0] for r in alone_runs))
print("AGENT_CPU_MS %.0f" % statistics.median(r[3] for r in agent_runs))
print("ALONE_CPU_MS %.0f" % statistics.median(r[2] for r in alone_runs))
print("ALONE_REFUSED_CONNECTS %d" % statistics.median(r[1] for r in alone_runs))
# Runs are paired (agent, then alone, back to back): the median of the differences is the least load-skewed.
print("PAIRED_FIRST_200_DIFF_MS %+.0f" % statistics.median(a[0] - b[0] for a, b in zip(agent_runs, alone_runs)))
print("PAIRED_CPU_DIFF_MS %+.0f" % statistics.median(a[3] - b[2] for a, b in zip(agent_runs, alone_runs)))
print("AGENT_FIRST_200_ALL %s" % ",".join("%.0f" % r[0] for r in agent_runs))
print("ALONE_FIRST_200_ALL %s" % ",".join("%.0f" % r[0] for r in alone_runs))
print("AGENT_PREMAIN_ALL %s" % ",".join("%.1f" % r[2] for r in agent_runs))
