package dev.prefork.agent;

import java.net.InetAddress;
import java.net.ServerSocket;

/** An application that ignores the inherited socket and serves a port of its own (what the agent must report). */
public final class OwnPortApp {
    private OwnPortApp() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            System.out.println("own port " + server.getLocalPort());
            while (true) {
                server.accept().close();
            }
        }
    }
}
