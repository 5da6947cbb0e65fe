package dev.prefork.core.config;

/**
 * A bad option value. The message is one line naming the option, the value and the remedy, ready to print
 * before exiting with {@link dev.prefork.core.ExitCodes#USAGE}.
 */
public final class ConfigException extends RuntimeException {
    private final String option;
    private final String value;

    public ConfigException(String option, String value, String problemAndRemedy) {
        super(option + ": " + (value == null ? "" : "'" + value + "' ") + problemAndRemedy);
        this.option = option;
        this.value = value;
    }

    public String option() {
        return option;
    }

    public String value() {
        return value;
    }
}
