/**
 * Tools for operating an engine from outside it: {@link io.ringside.engine.tools.EngineStat} reads, read-only, the
 * counters file of an engine running in another process ({@code ./ringside stat DIR}). The journal replay
 * ({@link io.ringside.engine.JournalReplay}) stays in {@code io.ringside.engine}: it drives the package-private runtime.
 */
package io.ringside.engine.tools;
