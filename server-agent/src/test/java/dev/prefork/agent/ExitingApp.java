package dev.prefork.agent;

/** An application that gives up before it serves (say its configuration is wrong). */
public final class ExitingApp {
    private ExitingApp() {
    }

    public static void main(String[] args) {
        System.err.println("cannot start: bad configuration");
        System.exit(1);
    }
}
