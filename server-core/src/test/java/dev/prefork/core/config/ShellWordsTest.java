package dev.prefork.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShellWordsTest {

    private static List<String> split(String text) {
        return ShellWords.split("--worker-command", text);
    }

    @Test
    void splitsLikeAPosixShell() {
        assertThat(split("  java -Xmx512m   -jar my-service.jar ")).containsExactly("java", "-Xmx512m", "-jar", "my-service.jar");
        assertThat(split("java '-Dgreeting=hello world' -jar a.jar")).containsExactly("java", "-Dgreeting=hello world", "-jar", "a.jar");
        assertThat(split("java \"-Dx=a \\\"b\\\" \\$HOME \\n\" x")).containsExactly("java", "-Dx=a \"b\" $HOME \\n", "x");
        assertThat(split("a\\ b c\\'d")).containsExactly("a b", "c'd");
        assertThat(split("'' x \"\"")).containsExactly("", "x", "");
        assertThat(split("pre'quoted part'post")).containsExactly("prequoted partpost");
        assertThat(split("$HOME/*.jar")).containsExactly("$HOME/*.jar");
        assertThat(split("   ")).isEmpty();
    }

    @Test
    void namesTheOptionForBadQuoting() {
        assertThatThrownBy(() -> split("java 'oops")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--worker-command").hasMessageContaining("unclosed single quote");
        assertThatThrownBy(() -> split("java \"oops")).hasMessageContaining("unclosed double quote");
        assertThatThrownBy(() -> split("java oops\\")).hasMessageContaining("ends with a backslash");
    }

    @Test
    void quoteThenSplitGivesTheWordsBack() {
        long seed = System.nanoTime();
        System.out.println("ShellWordsTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        String alphabet = "ab -'\"\\$`\t\n*=";
        for (int round = 0; round < 2000; round++) {
            List<String> words = new ArrayList<>();
            int count = 1 + random.nextInt(5);
            for (int w = 0; w < count; w++) {
                StringBuilder word = new StringBuilder();
                int length = random.nextInt(8);
                for (int i = 0; i < length; i++) {
                    word.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                words.add(word.toString());
            }
            assertThat(split(ShellWords.quote(words))).as("seed %d round %d", seed, round).isEqualTo(words);
        }
    }
}
