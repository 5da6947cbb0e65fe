package dev.prefork.agent.spring;

import jakarta.servlet.Filter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.embedded.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Makes Spring Boot's embedded server serve the listening socket the Prefork agent placed at fd 0
 * ({@code System.inheritedChannel()}) instead of binding {@code server.port}, and counts requests for the
 * agent's heartbeats and --max-requests, tells the agent when the server has started, and at a drain makes the
 * server end keep-alive connections after their next response. Active only under the agent, which sets
 * {@code prefork.agent=true}.
 */
@AutoConfiguration
@ConditionalOnProperty(name = PreforkAutoConfiguration.ACTIVE_PROPERTY, havingValue = "true")
@ConditionalOnWebApplication
public class PreforkAutoConfiguration {
    /** The system property the Prefork agent sets in the worker JVM. */
    public static final String ACTIVE_PROPERTY = "prefork.agent";

    @Bean
    static KeepAliveEndsAtDrain preforkKeepAliveEndsAtDrain() {
        return new KeepAliveEndsAtDrain(AgentBridge::onDrain);
    }

    @Bean
    static ServerStartedListener preforkServerStartedListener() {
        return new ServerStartedListener(AgentBridge.serverStartedCallback());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
    static class TomcatInheritedChannel {
        @Bean
        WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> preforkTomcatInheritedChannel(
                KeepAliveEndsAtDrain atDrain) {
            return factory -> factory.addConnectorCustomizers(InheritedChannelCustomizers::tomcat,
                    connector -> atDrain.add(TomcatKeepAlive.endAfterNextResponse(connector)));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.eclipse.jetty.server.ServerConnector")
    static class JettyInheritedChannel {
        @Bean
        WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> preforkJettyInheritedChannel(
                KeepAliveEndsAtDrain atDrain) {
            return factory -> factory.addServerCustomizers(InheritedChannelCustomizers::jetty,
                    server -> atDrain.add(JettyKeepAlive.endAfterNextResponse(server)));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "jakarta.servlet.Filter")
    static class RequestCounting {
        @Bean
        FilterRegistrationBean<Filter> preforkRequestCountingFilter() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(AgentBridge.requestCountingFilter());
            registration.setName("preforkRequestCounting");
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            registration.addUrlPatterns("/*");
            return registration;
        }
    }
}
