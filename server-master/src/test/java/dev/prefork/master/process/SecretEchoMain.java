package dev.prefork.master.process;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** A stand-in worker for launcher tests: reads the secret line, reports it, then exits 7 when stdin closes. */
public final class SecretEchoMain {
    private SecretEchoMain() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String secret = stdin.readLine();
        System.out.println("secret " + secret + " args " + args.length + " level " + System.getProperty("prefork.logLevel")
                + " flag " + System.getProperty("example.flag"));
        System.out.flush();
        System.err.println("a line on stderr");
        System.err.flush();
        // Stay until the master's end of stdin closes: that is how a worker notices its master died.
        while (stdin.read() >= 0) {
            // discard
        }
        System.exit(7);
    }
}
