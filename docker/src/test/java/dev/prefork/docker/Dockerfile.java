package dev.prefork.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** docker/Dockerfile as a list of instructions (continuation lines joined, comments dropped). */
final class Dockerfile {
    /** One instruction: the keyword upper-cased, the rest as written, and the stage it belongs to (-1: global). */
    static final class Instruction {
        final String keyword;
        final String arguments;
        final int stage;

        Instruction(String keyword, String arguments, int stage) {
            this.keyword = keyword;
            this.arguments = arguments;
            this.stage = stage;
        }
    }

    final List<Instruction> instructions;

    private Dockerfile(List<Instruction> instructions) {
        this.instructions = List.copyOf(instructions);
    }

    static Dockerfile load() {
        Path file = Path.of(System.getProperty("prefork.dockerfile", "Dockerfile"));
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.toAbsolutePath()
                    + " (run from the docker module, or set -Dprefork.dockerfile)", e);
        }
    }

    static Dockerfile parse(List<String> lines) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int stage = -1;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
                continue;
            }
            boolean continues = line.endsWith("\\");
            current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (continues) {
                continue;
            }
            String text = current.toString().strip();
            current.setLength(0);
            if (text.isEmpty()) {
                continue;
            }
            int space = text.indexOf(' ');
            String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
            String args = space < 0 ? "" : text.substring(space + 1).strip();
            if (keyword.equals("FROM")) {
                stage++;
            }
            out.add(new Instruction(keyword, args, stage));
        }
        return new Dockerfile(out);
    }

    /** The stage index named by {@code FROM ... AS name}. */
    int stage(String name) {
        return instructions.stream()
                .filter(i -> i.keyword.equals("FROM") && i.arguments.toLowerCase(Locale.ROOT).endsWith(" as " + name))
                .map(i -> i.stage).findFirst()
                .orElseThrow(() -> new AssertionError("the Dockerfile has no stage named " + name));
    }

    /** The FROM line of a stage. */
    String from(int stage) {
        return instructions.stream().filter(i -> i.stage == stage && i.keyword.equals("FROM"))
                .map(i -> i.arguments).findFirst().orElseThrow();
    }

    int lastStage() {
        return instructions.get(instructions.size() - 1).stage;
    }

    /**
     * The instructions that apply to a stage: its own and, through {@code FROM <earlier stage>}, its ancestors',
     * nearest last.
     */
    List<Instruction> effective(int stage) {
        List<Instruction> own = new ArrayList<>();
        instructions.stream().filter(i -> i.stage == stage).forEach(own::add);
        String base = from(stage).split("\\s+")[0];
        Optional<Integer> parent = instructions.stream()
                .filter(i -> i.keyword.equals("FROM") && i.stage < stage
                        && i.arguments.toLowerCase(Locale.ROOT).endsWith(" as " + base.toLowerCase(Locale.ROOT)))
                .map(i -> i.stage).findFirst();
        List<Instruction> all = new ArrayList<>(parent.map(this::effective).orElse(List.of()));
        all.addAll(own);
        return all;
    }

    /** The last value of an instruction in a stage (with inheritance), e.g. USER or ENTRYPOINT. */
    Optional<String> last(int stage, String keyword) {
        List<Instruction> all = effective(stage);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).keyword.equals(keyword)) {
                return Optional.of(all.get(i).arguments);
            }
        }
        return Optional.empty();
    }

    /** Every value of an instruction in a stage (with inheritance), e.g. all EXPOSE or ENV lines. */
    List<String> all(int stage, String keyword) {
        List<String> values = new ArrayList<>();
        effective(stage).stream().filter(i -> i.keyword.equals(keyword)).forEach(i -> values.add(i.arguments));
        return values;
    }

    /** Global ARGs, those before the first FROM (the only ones a FROM line can use). */
    List<String> globalArgs() {
        List<String> args = new ArrayList<>();
        instructions.stream().filter(i -> i.stage < 0 && i.keyword.equals("ARG")).forEach(i -> args.add(i.arguments));
        return args;
    }
}
