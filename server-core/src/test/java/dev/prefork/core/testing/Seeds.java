package dev.prefork.core.testing;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Seeds for randomised tests, as a {@code @MethodSource} of a {@code @ParameterizedTest(name = "seed {0}")}: each
 * seed is one run of a fixed number of tries from {@code new SplittableRandom(seed)}, and a failure is reported
 * under its seed, so it can be replayed.
 * <ul>
 *   <li>By default, the fixed seeds below: CI runs the same cases every time.</li>
 *   <li>{@code -Dprefork.test.randomSeeds=N}: N fresh random seeds as well (explore).</li>
 *   <li>{@code -Dprefork.test.seed=S}: only seed S (replay a failure).</li>
 * </ul>
 */
public final class Seeds {
    static final long[] FIXED = {1L, 42L, 0x5eed_cafeL, 20_261_126L, -7L, Long.MAX_VALUE};

    private Seeds() {
    }

    /** One try of a randomised test; {@code random} carries on from the previous try. */
    @FunctionalInterface
    public interface Try {
        void run(SplittableRandom random, int attempt) throws Exception;
    }

    /**
     * Runs {@code tries} tries from {@code new SplittableRandom(seed)}; any failure is rethrown naming the seed,
     * the try and how to replay it.
     */
    public static void tries(long seed, int tries, Try body) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int attempt = 0; attempt < tries; attempt++) {
            try {
                body.run(random, attempt);
            } catch (Throwable t) {
                throw new AssertionError("failed with seed " + seed + " at try " + attempt
                        + "; replay with -Dprefork.test.seed=" + seed, t);
            }
        }
    }

    /** The seeds to run, per the system properties above. */
    public static Stream<Long> seeds() {
        String replay = System.getProperty("prefork.test.seed");
        if (replay != null && !replay.isBlank()) {
            return Stream.of(Long.parseLong(replay.trim()));
        }
        int extra = Integer.getInteger("prefork.test.randomSeeds", 0);
        LongStream random = ThreadLocalRandom.current().longs(extra);
        return LongStream.concat(Arrays.stream(FIXED), random).boxed();
    }
}
