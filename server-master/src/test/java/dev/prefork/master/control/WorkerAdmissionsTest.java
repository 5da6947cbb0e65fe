package dev.prefork.master.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.master.control.WorkerDirectory.Admission;
import org.junit.jupiter.api.Test;

class WorkerAdmissionsTest {
    private static final int UID = 1000;
    private static final String SECRET = "ab".repeat(32);

    private final WorkerAdmissions admissions = new WorkerAdmissions(UID, slot -> new int[] {10 + slot, 20 + slot});

    WorkerAdmissionsTest() {
        admissions.expect(7, 5555, 1, SECRET);
    }

    private static String rejection(Admission admission) {
        assertThat(admission).isInstanceOf(Admission.Rejected.class);
        return ((Admission.Rejected) admission).reason();
    }

    @Test
    void theRightWorkerGetsItsSlotsFds() {
        Admission admission = admissions.admit(7, SECRET, 5555, UID);

        assertThat(admission).isInstanceOfSatisfying(Admission.Accepted.class,
                a -> assertThat(a.listenFds()).containsExactly(11, 21));
    }

    @Test
    void aStandbyGetsTheSocketsOfEverySlotInSlotOrder() {
        admissions.expectStandby(8, 6666, 3, SECRET);

        Admission admission = admissions.admit(8, SECRET, 6666, UID);

        assertThat(admission).isInstanceOfSatisfying(Admission.Accepted.class,
                a -> assertThat(a.listenFds()).containsExactly(10, 20, 11, 21, 12, 22));
    }

    @Test
    void anUnknownIdIsRejected() {
        assertThat(rejection(admissions.admit(8, SECRET, 5555, UID))).isEqualTo("unknown_worker");
    }

    @Test
    void anotherPidIsRejected() {
        assertThat(rejection(admissions.admit(7, SECRET, 5556, UID))).isEqualTo("wrong_pid");
    }

    @Test
    void anotherUidIsRejected() {
        assertThat(rejection(admissions.admit(7, SECRET, 5555, 0))).isEqualTo("wrong_uid");
    }

    @Test
    void aWrongOrMissingSecretIsRejected() {
        assertThat(rejection(admissions.admit(7, "cd".repeat(32), 5555, UID))).isEqualTo("bad_secret");
        assertThat(rejection(admissions.admit(7, SECRET.substring(1), 5555, UID))).isEqualTo("bad_secret");
        assertThat(rejection(admissions.admit(7, null, 5555, UID))).isEqualTo("bad_secret");
    }

    @Test
    void aSecondHelloForAConnectedWorkerIsAReplay() {
        admissions.admit(7, SECRET, 5555, UID);

        assertThat(rejection(admissions.admit(7, SECRET, 5555, UID))).isEqualTo("replay");
    }

    @Test
    void anImpersonatorOfAConnectedWorkerIsNamedByWhatIsWrong() {
        admissions.admit(7, SECRET, 5555, UID);

        assertThat(rejection(admissions.admit(7, SECRET, 6666, UID))).isEqualTo("wrong_pid");
        assertThat(rejection(admissions.admit(7, "cd".repeat(32), 5555, UID))).isEqualTo("bad_secret");
    }

    @Test
    void aFailedAttemptDoesNotLockOutTheRealWorker() {
        admissions.admit(7, "wrong", 5555, UID);

        assertThat(admissions.admit(7, SECRET, 5555, UID)).isInstanceOf(Admission.Accepted.class);
    }

    @Test
    void anExitedWorkerIsForgotten() {
        admissions.forget(7);

        assertThat(rejection(admissions.admit(7, SECRET, 5555, UID))).isEqualTo("unknown_worker");
    }

    @Test
    void anExecWorkersDescendantIsAdmittedOnceAndOnlyForThatWorker() {
        WorkerAdmissions exec = new WorkerAdmissions(UID, slot -> new int[] {30}, (pid, ancestor) -> pid == 6001 && ancestor == 6000);
        exec.expect(1, 6000, 0, SECRET, true);
        exec.expect(2, 7000, 0, SECRET, false);

        assertThat(rejection(exec.admit(1, SECRET, 6002, UID))).as("not a descendant").isEqualTo("wrong_pid");
        assertThat(rejection(exec.admit(2, SECRET, 6001, UID))).as("native worker: its own pid only").isEqualTo("wrong_pid");
        assertThat(rejection(exec.admit(1, SECRET, 6001, 0))).as("uid still checked").isEqualTo("wrong_uid");
        assertThat(rejection(exec.admit(1, "cd".repeat(32), 6001, UID))).as("secret still checked").isEqualTo("bad_secret");
        assertThat(exec.admit(1, SECRET, 6001, UID)).isInstanceOf(Admission.Accepted.class);
        assertThat(rejection(exec.admit(1, SECRET, 6000, UID))).as("once").isEqualTo("replay");
    }

    @Test
    void descendantsAreFoundThroughTheRealProcessTree() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "sleep 30; true").start();
        try {
            long sleepPid = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> shell.children().findFirst().map(ProcessHandle::pid).orElse(-1L), pid -> pid > 0);
            assertThat(WorkerAdmissions.isDescendant(sleepPid, shell.pid())).isTrue();
            assertThat(WorkerAdmissions.isDescendant(sleepPid, ProcessHandle.current().pid())).as("grandchild").isTrue();
            assertThat(WorkerAdmissions.isDescendant(shell.pid(), sleepPid)).isFalse();
        } finally {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
        }
    }
}
