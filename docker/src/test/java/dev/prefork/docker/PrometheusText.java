package dev.prefork.docker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Samples of a Prometheus text exposition, enough to read the contract's gauges and counters. */
final class PrometheusText {
    /** name, optional {labels}, value, optional timestamp. */
    static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+([-+]?(?:[0-9.eE+-]+|NaN|Inf|\\+Inf|-Inf))(\\s+-?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static final class Sample {
        final String name;
        final Map<String, String> labels;
        final double value;

        Sample(String name, Map<String, String> labels, double value) {
            this.name = name;
            this.labels = labels;
            this.value = value;
        }
    }

    final List<Sample> samples;
    /** Lines that are neither comments nor valid samples: a scrape must have none. */
    final List<String> malformed;

    private PrometheusText(List<Sample> samples, List<String> malformed) {
        this.samples = samples;
        this.malformed = malformed;
    }

    static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.strip());
            if (!m.matches()) {
                malformed.add(line);
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4).replace("Inf", "Infinity"))));
        }
        return new PrometheusText(samples, malformed);
    }

    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name.equals(name));
    }

    /** The sum of the samples of {@code name} whose labels include {@code labels}; 0 when there is none. */
    double sum(String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name.equals(name) && s.labels.entrySet().containsAll(labels.entrySet()))
                .mapToDouble(s -> s.value).sum();
    }

    double sum(String name) {
        return sum(name, Map.of());
    }
}
