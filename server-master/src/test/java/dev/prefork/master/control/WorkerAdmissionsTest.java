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
}
