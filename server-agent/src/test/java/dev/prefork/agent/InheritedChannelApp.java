package dev.prefork.agent;

import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** The smallest inetd-style server: accepts on System.inheritedChannel() (fd 0) and answers 200 to anything. */
public final class InheritedChannelApp {
    private InheritedChannelApp() {
    }

    public static void main(String[] args) throws Exception {
        ServerSocketChannel server = (ServerSocketChannel) System.inheritedChannel();
        server.configureBlocking(true);
        System.out.println("serving the inherited channel");
        byte[] response = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII);
        while (true) {
            try (SocketChannel c = server.accept()) {
                c.read(ByteBuffer.allocate(4096));
                c.write(ByteBuffer.wrap(response));
            }
        }
    }
}
