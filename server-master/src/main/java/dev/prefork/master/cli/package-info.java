/** The command line: options, environment and config file resolved into one configuration, {@code --help}. */
package dev.prefork.master.cli;
