/**
 * Worker class-data sharing: the AppCDS archive's key and cache directory, the training run that makes it, and
 * the check that workers map it ({@code --worker-cds}, {@code --prepare-worker-cds}).
 */
package dev.prefork.master.cds;
