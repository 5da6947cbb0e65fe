package dev.prefork.agent.spring;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.function.IntConsumer;

/**
 * Counts requests for the agent (heartbeats, --max-requests). In flight means inside the filter chain: an
 * async request counts until its first dispatch returns.
 */
final class RequestCountingFilter implements Filter {
    private final IntConsumer counter;

    RequestCountingFilter(IntConsumer counter) {
        this.counter = counter;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        counter.accept(1);
        try {
            chain.doFilter(request, response);
        } finally {
            counter.accept(-1);
        }
    }
}
