package dev.prefork.agent.spring;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.LongBinaryOperator;
import java.util.function.LongSupplier;

/**
 * Records requests for the agent, which writes them into the worker's segment (requests, in flight, status class,
 * duration histogram; --max-requests). A request is timed and in flight while inside the filter chain: an async
 * request until its first dispatch returns, with the status its response has then. One that throws out of the
 * chain counts as a 500 (the container answers it so).
 */
final class RequestCountingFilter implements Filter {
    private final LongSupplier started;
    private final LongBinaryOperator finished;

    RequestCountingFilter(LongSupplier started, LongBinaryOperator finished) {
        this.started = started;
        this.finished = finished;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long start = started.getAsLong();
        int status = HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
        try {
            chain.doFilter(request, response);
            status = response instanceof HttpServletResponse http ? http.getStatus() : 0;
        } finally {
            finished.applyAsLong(start, status);
        }
    }
}
