package io.spacepanda.internal.net.sim;

/**
 * Counters of a {@link SimulatedNetwork} since it was created.
 *
 * @param sent envelopes accepted by {@code send} (each once, however many copies travelled)
 * @param delivered copies handed to a recipient's listener, duplicates included
 * @param dropped copies that never reached a listener: lost, sent to an unknown, offline,
 *     partitioned or crashed peer, or in flight when a node went down
 * @param duplicated extra copies created by duplication
 * @param acknowledged sends whose future completed normally
 * @param failed sends whose future completed exceptionally
 */
public record NetworkStats(long sent, long delivered, long dropped, long duplicated,
    long acknowledged, long failed) {}
