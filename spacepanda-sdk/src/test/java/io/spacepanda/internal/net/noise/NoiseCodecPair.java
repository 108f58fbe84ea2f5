package io.spacepanda.internal.net.noise;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.security.SecureRandom;

/**
 * Two {@link EmbeddedChannel}s running the Noise transport phase with matching fresh keys, one
 * sending and one receiving, for benchmarks; {@code previous} picks the pre-issue-15 codec.
 */
public final class NoiseCodecPair {

  /** The sending channel. */
  public final EmbeddedChannel sender;

  /** The receiving channel. */
  public final EmbeddedChannel receiver;

  /**
   * Creates the pair.
   *
   * @param previous use {@link PreviousNoiseTransportCodec} instead of {@link NoiseTransportCodec}
   */
  public NoiseCodecPair(boolean previous) {
    SecureRandom r = new SecureRandom();
    byte[] k = new byte[32];
    r.nextBytes(k);
    sender = new EmbeddedChannel(codec(previous, k));
    receiver = new EmbeddedChannel(codec(previous, k));
  }

  private static ChannelHandler codec(boolean previous, byte[] key) {
    CipherState enc = new CipherState();
    enc.initializeKey(key);
    CipherState dec = new CipherState();
    dec.initializeKey(key);
    return previous ? new PreviousNoiseTransportCodec(enc, dec) : new NoiseTransportCodec(enc, dec);
  }
}
