package io.spacepanda.internal.net.mix;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one mix node and its client side.
 *
 * @param hops mixes per path before the recipient, 1 to {@value Sphinx#MAX_HOPS} − 1 (default 3)
 * @param meanDelay mean of the exponential delay each mix holds a packet (default 50 ms)
 * @param keyRotation how often the mix key rotates (default 1 hour); the previous key stays
 *     accepted for {@code keyGrace}
 * @param keyGrace how long the previous key is accepted after a rotation (default 5 minutes)
 * @param tagsPerKey replay tags one key remembers before it must rotate
 * @param ackTimeout how long a sender waits for an acknowledgement through the mixnet, counted
 *     from when the packet leaves this node; with cover on, {@link #ackWait(int)} adds the
 *     recipient's wait for its payload stream
 * @param cover the cover-traffic rates, or {@link Cover#OFF}
 */
public record MixConfig(int hops, Duration meanDelay, Duration keyRotation, Duration keyGrace,
    int tagsPerKey, Duration ackTimeout, Cover cover) {

  /** Checks ranges. */
  public MixConfig {
    if (hops < 1 || hops > Sphinx.MAX_HOPS - 1) {
      throw new IllegalArgumentException("hops must be 1 to " + (Sphinx.MAX_HOPS - 1) + ": " + hops);
    }
    Objects.requireNonNull(meanDelay, "meanDelay");
    Objects.requireNonNull(keyRotation, "keyRotation");
    Objects.requireNonNull(keyGrace, "keyGrace");
    Objects.requireNonNull(ackTimeout, "ackTimeout");
    Objects.requireNonNull(cover, "cover");
    if (meanDelay.isNegative() || meanDelay.toMillis() > Sphinx.MAX_DELAY_MILLIS / 8) {
      throw new IllegalArgumentException("mean delay must be 0 to " + Sphinx.MAX_DELAY_MILLIS / 8
          + " ms: " + meanDelay);
    }
    if (tagsPerKey < 1) {
      throw new IllegalArgumentException("tagsPerKey must be at least 1");
    }
  }

  /**
   * The defaults: 3 hops, 50 ms mean delay, hourly key rotation, no cover traffic.
   *
   * @return the defaults
   */
  public static MixConfig defaults() {
    return new MixConfig(3, Duration.ofMillis(50), Duration.ofHours(1), Duration.ofMinutes(5),
        MixKeyRing.DEFAULT_TAGS_PER_KEY, Duration.ofSeconds(30), Cover.OFF);
  }

  /**
   * Returns a copy with other cover-traffic rates.
   *
   * @param c the rates
   * @return the copy
   */
  public MixConfig withCover(Cover c) {
    return new MixConfig(hops, meanDelay, keyRotation, keyGrace, tagsPerKey, ackTimeout, c);
  }

  /**
   * Returns a copy with another mean per-hop delay.
   *
   * @param d the mean delay
   * @return the copy
   */
  public MixConfig withMeanDelay(Duration d) {
    return new MixConfig(hops, d, keyRotation, keyGrace, tagsPerKey, ackTimeout, cover);
  }

  /**
   * Returns a copy with another key rotation period and a grace of a quarter of it, at most 5
   * minutes.
   *
   * @param period how often the mix key rotates
   * @return the copy
   */
  public MixConfig withKeyRotation(Duration period) {
    Duration grace = period.dividedBy(4);
    if (grace.compareTo(Duration.ofMinutes(5)) > 0) {
      grace = Duration.ofMinutes(5);
    }
    return new MixConfig(hops, meanDelay, period, grace, tagsPerKey, ackTimeout, cover);
  }

  /**
   * How long a sender waits for an acknowledgement after its packet left: {@link #ackTimeout()},
   * plus, with cover on, the recipient's wait for its own payload stream, which carries one
   * acknowledgement per packet: twelve mean intervals of the payload stream, and three more for
   * each packet to the same recipient that left earlier and is not acknowledged yet (its
   * acknowledgement may be queued ahead at the recipient). A Poisson stream takes longer than
   * 12 + 3n means for n + 1 packets with probability at most 6.2·10<sup>−6</sup> (n = 0; it
   * falls as n grows), so a burst's acknowledgements do not time out while queued (with eight
   * means and no allowance for the queue, the eighth of a burst timed out once in a dozen runs).
   *
   * @param ahead packets to the same recipient that left earlier, not acknowledged yet
   * @return the wait
   */
  public Duration ackWait(int ahead) {
    if (!cover.on()) {
      return ackTimeout;
    }
    double means = 12 + 3.0 * Math.max(0, ahead);
    return ackTimeout.plusNanos(Math.round(means * 1e9 / cover.payloadPerSecond()));
  }

  /**
   * Returns a copy with another acknowledgement timeout.
   *
   * @param timeout how long a sender waits for an acknowledgement
   * @return the copy
   */
  public MixConfig withAckTimeout(Duration timeout) {
    return new MixConfig(hops, meanDelay, keyRotation, keyGrace, tagsPerKey, timeout, cover);
  }

  /**
   * Loopix-style cover traffic (Piotrowska et al., "The Loopix Anonymity System", 2017, §3):
   * a Poisson stream of payload packets at {@code payloadPerSecond}, in which a queued real packet
   * takes the place of a drop packet, and an independent Poisson stream of loop packets at {@code
   * loopPerSecond}. On the wire all three are Sphinx packets of one size through the same kind of
   * path.
   *
   * @param payloadPerSecond rate of the payload stream (real or drop), packets per second
   * @param loopPerSecond rate of the loop stream, packets per second
   */
  public record Cover(double payloadPerSecond, double loopPerSecond) {

    /** No cover traffic: real packets leave at once. */
    public static final Cover OFF = new Cover(0, 0);

    /**
     * The default: 0.25 + 0.25 packets per second, one packet every 2 s on average, 4.3 MB an hour
     * for an idle node (2413 × 0.5 × 3600 bytes).
     */
    public static final Cover DEFAULT = new Cover(0.25, 0.25);

    /**
     * The low-power profile: 1/32 + 1/32 packets per second, one packet every 16 s on average,
     * 9.0 kB a minute (2413 × 60 / 16), leaving room for key fetches within 10 kB a minute.
     */
    public static final Cover LOW_POWER = new Cover(1.0 / 32, 1.0 / 32);

    /** Checks the rates. */
    public Cover {
      if (!(payloadPerSecond >= 0) || !(loopPerSecond >= 0) || payloadPerSecond > 1000
          || loopPerSecond > 1000) {
        throw new IllegalArgumentException("cover rates must be 0 to 1000 per second");
      }
      if ((payloadPerSecond == 0) != (loopPerSecond == 0)) {
        throw new IllegalArgumentException("turn both cover streams on or both off");
      }
    }

    /** @return whether cover traffic is on */
    public boolean on() {
      return payloadPerSecond > 0;
    }

    /**
     * Returns the average bytes an idle node sends per hour.
     *
     * @return bytes per hour
     */
    public double idleBytesPerHour() {
      return (payloadPerSecond + loopPerSecond) * Sphinx.PACKET_LENGTH * 3600;
    }
  }
}
