package dev.prefork.agent.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http11.Http11NioProtocol;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class PreforkAutoConfigurationTest {
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PreforkAutoConfiguration.class));

    @Test
    void inactiveWithoutTheAgent() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(WebServerFactoryCustomizer.class);
            assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
        });
    }

    @Test
    void underTheAgentCustomizesTomcatAndJettyAndCountsRequests() {
        runner.withPropertyValues("prefork.agent=true").run(context -> {
            assertThat(context).hasBean("preforkTomcatInheritedChannel").hasBean("preforkJettyInheritedChannel")
                    .hasBean("preforkRequestCountingFilter").hasBean("preforkServerStartedListener");
            assertThat(context).hasSingleBean(KeepAliveEndsAtDrain.class);
        });
    }

    @Test
    void atDrainTomcatAndJettyEndKeepAliveConnectionsAfterTheirNextResponse() throws Exception {
        // Tomcat reports keep-alive off (1) while its endpoint is unbound, so the connector must be bound.
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("tomcat").toString());
        Connector connector = new Connector(Http11NioProtocol.class.getName());
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        server.addConnector(new ServerConnector(server, new HttpConnectionFactory(http)));
        List<Runnable> handedToAgent = new ArrayList<>();
        KeepAliveEndsAtDrain atDrain = new KeepAliveEndsAtDrain(handedToAgent::add);
        assertThat(handedToAgent).as("no server, nothing for the agent to wait for").isEmpty();
        atDrain.add(TomcatKeepAlive.endAfterNextResponse(connector));
        atDrain.add(JettyKeepAlive.endAfterNextResponse(server));
        assertThat(handedToAgent).as("handed to the agent once").containsExactly(atDrain);
        tomcat.start();
        try {
            Http11NioProtocol protocol = (Http11NioProtocol) connector.getProtocolHandler();
            assertThat(protocol.getMaxKeepAliveRequests()).isEqualTo(100);
            assertThat(http.isPersistentConnectionsEnabled()).isTrue();

            atDrain.run();

            assertThat(protocol.getMaxKeepAliveRequests()).isEqualTo(1);
            assertThat(http.isPersistentConnectionsEnabled()).isFalse();
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    @Test
    void tomcatConnectorUsesTheInheritedChannel() {
        Connector connector = new Connector(Http11NioProtocol.class.getName());
        InheritedChannelCustomizers.tomcat(connector);
        assertThat(String.valueOf(connector.getProperty("useInheritedChannel"))).isEqualTo("true");
    }

    @Test
    void jettyServerConnectorsInheritTheChannel() {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        server.addConnector(connector);
        InheritedChannelCustomizers.jetty(server);
        assertThat(connector.isInheritChannel()).isTrue();
    }

    @Test
    void filterRecordsStartAndEndWithTheStatusAnd500WhenTheChainThrows() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        List<Long> finished = new ArrayList<>();
        RequestCountingFilter filter = new RequestCountingFilter(() -> {
            inFlight.incrementAndGet();
            return 42;
        }, (start, status) -> {
            assertThat(start).as("the value requestStarted gave").isEqualTo(42);
            inFlight.decrementAndGet();
            finished.add(status);
            return finished.size();
        });
        MockHttpServletResponse notFound = new MockHttpServletResponse();
        filter.doFilter(new MockHttpServletRequest(), notFound, (req, res) -> notFound.setStatus(404));
        filter.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(), new MockFilterChain());
        try {
            filter.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(), (req, res) -> {
                assertThat(inFlight).hasValue(1);
                throw new IllegalStateException("handler failed");
            });
        } catch (IllegalStateException expected) {
            // the filter must not swallow it
        }
        assertThat(finished).containsExactly(404L, 200L, 500L);
        assertThat(inFlight).hasValue(0);
    }
}
