package dev.prefork.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's arguments, written by the master after {@code -javaagent:prefork-agent.jar=}: comma-separated
 * {@code key=value}. Nothing secret: argv is visible in /proc; the secret comes on stdin.
 *
 * @param controlSocket   path of the master's control socket ({@code control=}, required)
 * @param workerId        the master's id for this worker ({@code worker=}, required)
 * @param socketCount     listening sockets the master passes ({@code sockets=}, default 1); the first is exposed
 * @param extraFd         also place the first listening socket at this fd ({@code fd=}, -1 = no)
 * @param heartbeatMillis heartbeat period ({@code heartbeat-ms=}, default 1000)
 * @param maxRequests     ask to be recycled after this many requests, where the glue counts them
 *                        ({@code max-requests=}, default 0 = never)
 * @param segment         path of the worker's metrics segment the master made ({@code segment=}, "" = none: the
 *                        figures then stay in this JVM's memory)
 */
record AgentArgs(String controlSocket, int workerId, int socketCount, int extraFd, long heartbeatMillis,
                 long maxRequests, String segment) {

    static AgentArgs parse(String args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : (args == null ? "" : args).split(",")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("agent argument '" + pair + "' is not key=value; the Prefork master "
                        + "writes them (-javaagent:prefork-agent.jar=control=PATH,worker=ID)");
            }
            m.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        String control = m.remove("control");
        String worker = m.remove("worker");
        if (control == null || worker == null) {
            throw new IllegalArgumentException("agent arguments need control=PATH and worker=ID, got '" + args
                    + "'; exec workers are started by the Prefork master");
        }
        AgentArgs parsed = new AgentArgs(control, number(worker, "worker"),
                (int) number(m.remove("sockets"), "sockets", 1), (int) number(m.remove("fd"), "fd", -1),
                number(m.remove("heartbeat-ms"), "heartbeat-ms", 1000), number(m.remove("max-requests"), "max-requests", 0),
                m.containsKey("segment") ? m.remove("segment") : "");
        if (!m.isEmpty()) {
            throw new IllegalArgumentException("unknown agent argument(s) " + m.keySet()
                    + "; known: control, worker, sockets, fd, heartbeat-ms, max-requests, segment");
        }
        if (parsed.socketCount < 1 || parsed.extraFd == 0 || parsed.extraFd < -1 || parsed.heartbeatMillis < 1
                || parsed.maxRequests < 0) {
            throw new IllegalArgumentException("agent arguments out of range: " + args
                    + " (sockets >= 1, fd >= 1, heartbeat-ms >= 1, max-requests >= 0)");
        }
        return parsed;
    }

    private static int number(String value, String key) {
        return (int) number(value, key, 0);
    }

    private static long number(String value, String key, long absent) {
        if (value == null) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("agent argument " + key + "=" + value + " is not a number");
        }
    }
}
