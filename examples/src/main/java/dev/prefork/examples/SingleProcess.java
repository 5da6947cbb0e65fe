package dev.prefork.examples;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.config.BindAddress;
import dev.prefork.core.config.ConfigException;
import dev.prefork.worker.http.HttpLimits;
import dev.prefork.worker.http.HttpServing;
import dev.prefork.worker.http.ServingStats;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.net.InetSocketAddress;

/**
 * The benchmark baseline: the example application in one JVM with plain Netty epoll, one event loop per core,
 * through the same HTTP pipeline as the workers.
 * {@code java -cp prefork-example.jar dev.prefork.examples.SingleProcess --bind HOST:PORT}
 */
public final class SingleProcess {
    private SingleProcess() {
    }

    public static void main(String[] args) throws Exception {
        BindAddress bind;
        InetSocketAddress address;
        try {
            bind = parseBind(args);
            address = bind.resolve("--bind");
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("SingleProcess: " + e.getMessage());
            System.exit(ExitCodes.USAGE);
            return;
        }
        int loops = Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, EpollIoHandler.newFactory());
        ExampleApp app = new ExampleApp();
        HttpServing serving = new HttpServing(app, 0, group, HttpLimits.defaults(), false, new ServingStats());
        app.init(serving.context());
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 2048)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(serving.childHandler())
                .bind(address)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            System.err.println("SingleProcess: cannot bind " + bind + ": " + bound.cause().getMessage()
                    + "; pick a free port or stop the process using it");
            System.exit(ExitCodes.CANNOT_BIND);
            return;
        }
        Channel channel = bound.channel();
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        // Benchmarks wait for exactly this line.
        System.out.println("SingleProcess listening on " + new BindAddress(bind.host(), port));
        System.out.flush();
        channel.closeFuture().sync();
    }

    /** {@code --bind HOST:PORT} or {@code --bind=HOST:PORT}; the contract's default when absent. */
    static BindAddress parseBind(String[] args) {
        String value = "127.0.0.1:8000";
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--bind") || arg.equals("-b")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("--bind needs HOST:PORT, e.g. --bind 127.0.0.1:8080");
                }
                value = args[++i];
            } else if (arg.startsWith("--bind=")) {
                value = arg.substring("--bind=".length());
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg
                        + "'; usage: SingleProcess --bind HOST:PORT");
            }
        }
        return BindAddress.parse("--bind", value);
    }
}
