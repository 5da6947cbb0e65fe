package dev.prefork.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words as a POSIX shell does, without running one: blanks separate words; single
 * quotes keep everything literally; double quotes keep blanks, with backslash escaping only {@code $ ` " \} and a
 * newline; an unquoted backslash escapes the next character. No expansion ({@code $VAR}, globs) happens: the
 * words go to {@link ProcessBuilder} as they are.
 */
public final class ShellWords {
    private ShellWords() {
    }

    /**
     * @param option the option the text came from, for the error
     * @throws ConfigException naming {@code option} for an unclosed quote or a trailing backslash
     */
    public static List<String> split(String option, String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new ConfigException(option, text, "has an unclosed single quote; close it or escape it with a backslash");
                }
                word.append(text, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(option, text, i + 1, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new ConfigException(option, text, "ends with a backslash; remove it or escape it as \\\\");
                }
                if (text.charAt(i + 1) != '\n') {
                    word.append(text.charAt(i + 1));
                    inWord = true;
                }
                i += 2;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends the double-quoted part starting after its opening quote; returns the index after its closing quote. */
    private static int doubleQuoted(String option, String text, int start, StringBuilder word) {
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < text.length() && "$`\"\\\n".indexOf(text.charAt(i + 1)) >= 0) {
                if (text.charAt(i + 1) != '\n') {
                    word.append(text.charAt(i + 1));
                }
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        throw new ConfigException(option, text, "has an unclosed double quote; close it or escape it with a backslash");
    }

    /** The words quoted so that {@link #split} gives them back exactly (single quotes; {@code '} as {@code '\''}). */
    public static String quote(List<String> words) {
        StringBuilder out = new StringBuilder();
        for (String w : words) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append('\'').append(w.replace("'", "'\\''")).append('\'');
        }
        return out.toString();
    }
}
