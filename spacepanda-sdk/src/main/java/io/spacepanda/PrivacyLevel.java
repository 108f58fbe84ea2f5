package io.spacepanda;

/**
 * How much of who talks to whom a node hides from the network (issue 16), set with {@link
 * SpacePanda.Builder#privacyLevel(PrivacyLevel)}.
 *
 * <p>Every level keeps what sealed-sender envelopes already give: contents, sender, group and
 * epoch are inside the seal; envelopes are padded to a few bucket sizes; each copy to each
 * recipient is sealed afresh, so copies of one message share no bytes; and a group envelope
 * cannot be told from a direct one by its bytes. The levels differ in what the connection graph
 * and timing show.
 */
public enum PrivacyLevel {

  /**
   * Envelopes go straight to each recipient over its connection, after the broadcast {@link
   * Jitter}. Hides contents and the sender's identity inside each envelope; does not hide that
   * this node's address sent bytes to that node's address, or when. Costs nothing extra.
   */
  DIRECT,

  /**
   * Envelopes travel in Sphinx packets of one size (2413 bytes) through three mix nodes, each
   * holding a packet for an exponential delay (mean 50 ms), with acknowledgements returning
   * through single-use reply blocks; an envelope above 1,584 bytes goes as several packets, each
   * over its own path (at most 255, about 404 KB). Mixes are the members of this node's spaces,
   * nodes named with {@link SpacePanda.Builder#mixNodes}, and nodes that {@linkplain
   * SpacePanda.Builder#mix opted in} and are found in the DHT, each used only with a current mix
   * key signed by its identity (keys rotate hourly, {@link SpacePanda.Builder#mixKeyRotation}); with fewer than three, paths are
   * shorter, and with none the node sends nothing (it never falls back to sending directly).
   * Hides which member sends to which from peers and from observers of some links; an observer
   * of every link learns less the more traffic the mixes carry. Costs about 150–250 ms median
   * latency per message and several packets of 2413 bytes per copy with its acknowledgement,
   * instead of one envelope (README, "Network privacy"). The broadcast {@link Jitter} defaults
   * to none at this level: the mixes delay each packet instead.
   */
  MIXED,

  /**
   * {@link #MIXED} with Loopix-style cover traffic: loop and drop packets, indistinguishable on
   * the wire from real ones, at most one packet every 2 s on average (4.3 MB an hour for an idle
   * node); real packets take the place of drop packets in that stream, so an observer cannot tell
   * when this node sends. Costs the bandwidth above and a mean wait of 4 s per packet before it
   * leaves (at each end: the acknowledgement waits too), so a message of several packets takes
   * seconds to tens of seconds. {@link SpacePanda.Builder#coverProfile(CoverProfile)} picks a
   * lower rate for phones and metered links ({@link CoverProfile#LOW_POWER}).
   */
  MIXED_WITH_COVER
}
