package dev.prefork.master.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.config.ConfigOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Holds the three places a user reads about options equal to their one definition ({@link ConfigOption}):
 * the README's options table, {@code --help} and the defaults a configuration is built with.
 */
class OptionsDocumentationTest {
    private static final Path README = Path.of("..", "README.md");
    /** A table row's first cell: {@code `--name LABEL`} (or {@code `--name` / `--no-name`}). */
    private static final Pattern FLAG_CELL = Pattern.compile("^`--([a-z0-9-]+)[ `]");
    /** Where an option's entry starts in picocli's usage: {@code "      --name=LABEL"}, {@code "      --[no-]name"}. */
    private static final Pattern HELP_ENTRY = Pattern.compile("^ {2}(?:-\\w, | {4})--(?:\\[no-])?([a-z0-9-]+)");

    @Test
    void theReadmeTableListsEveryOptionWithItsDefault() throws IOException {
        Map<String, String> table = readmeOptionsTable();

        Map<String, String> defined = new LinkedHashMap<>();
        for (ConfigOption option : ConfigOption.values()) {
            defined.put(option.key(), option.defaultText());
        }
        defined.put(CommandLineOptions.PREPARE_WORKER_CDS.substring(2), "");
        assertThat(table).as("README.md options table (name -> default) against ConfigOption")
                .containsExactlyEntriesOf(defined);
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        Map<String, String> entries = helpEntries(new CommandLineOptions(null).usage());

        for (ConfigOption option : ConfigOption.values()) {
            assertThat(entries).as("--help lists %s", option.flag()).containsKey(option.key());
            assertThat(entries.get(option.key())).as("--help entry of %s", option.flag())
                    .contains("(default: " + option.defaultText() + ")")
                    .contains(option.envVar());
        }
    }

    /** name -> default cell, backticks removed, in the table's order. */
    private static Map<String, String> readmeOptionsTable() throws IOException {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        int header = lines.indexOf("| option | meaning | default |");
        assertThat(header).as("README.md has the options table header").isNotNegative();
        Map<String, String> rows = new LinkedHashMap<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            List<String> cells = cells(lines.get(i));
            assertThat(cells).as("row %s", lines.get(i)).hasSize(3);
            Matcher flag = FLAG_CELL.matcher(cells.get(0));
            assertThat(flag.find()).as("first cell of %s names a --flag", lines.get(i)).isTrue();
            assertThat(rows.put(flag.group(1), cells.get(2).replace("`", ""))).as("one row per option").isNull();
        }
        return rows;
    }

    /** Splits a Markdown row on its unescaped pipes; {@code \|} stays in the cell as {@code |}. */
    private static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        String inner = row.substring(1, row.length() - 1);
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\\' && i + 1 < inner.length() && inner.charAt(i + 1) == '|') {
                cell.append('|');
                i++;
            } else if (c == '|') {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString().trim());
        return cells;
    }

    /** Option name -> its usage entry with line wraps undone. */
    private static Map<String, String> helpEntries(String usage) {
        Map<String, String> entries = new LinkedHashMap<>();
        String current = null;
        for (String line : usage.split("\n")) {
            Matcher start = HELP_ENTRY.matcher(line);
            if (start.find()) {
                current = start.group(1);
                entries.put(current, line.trim());
            } else if (current != null && line.startsWith("   ")) {
                entries.put(current, entries.get(current) + " " + line.trim());
            } else {
                current = null;
            }
        }
        return entries;
    }
}
