package dev.prefork.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AgentArgsTest {

    @Test
    void requiredOnlyTakesDefaults() {
        assertThat(AgentArgs.parse("control=/run/prefork/control.sock,worker=7"))
                .isEqualTo(new AgentArgs("/run/prefork/control.sock", 7, 1, -1, 1000, 0, ""));
    }

    @Test
    void everyKey() {
        assertThat(AgentArgs.parse("control=/c,worker=2,sockets=2,fd=100,heartbeat-ms=250,max-requests=5000,segment=/d/worker-2.seg"))
                .isEqualTo(new AgentArgs("/c", 2, 2, 100, 250, 5000, "/d/worker-2.seg"));
    }

    @Test
    void missingUnknownMalformedAndOutOfRangeAreNamed() {
        assertThatThrownBy(() -> AgentArgs.parse("worker=1")).hasMessageContaining("control=PATH and worker=ID");
        assertThatThrownBy(() -> AgentArgs.parse(null)).hasMessageContaining("control=PATH and worker=ID");
        assertThatThrownBy(() -> AgentArgs.parse("control=/c,worker=1,port=8080")).hasMessageContaining("unknown agent argument(s) [port]");
        assertThatThrownBy(() -> AgentArgs.parse("control=/c,worker=1,fd")).hasMessageContaining("'fd' is not key=value");
        assertThatThrownBy(() -> AgentArgs.parse("control=/c,worker=x")).hasMessageContaining("worker=x is not a number");
        assertThatThrownBy(() -> AgentArgs.parse("control=/c,worker=1,fd=0")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> AgentArgs.parse("control=/c,worker=1,sockets=0")).hasMessageContaining("out of range");
    }
}
