package io.spacepanda.internal.envelope;

import java.util.Objects;

/**
 * The outer wire format of every sealed envelope, which is all a relay or network observer sees.
 *
 * <pre>
 * envelope = version(1) ‖ kind(1) ‖ fields
 * version  = 1
 * kind     = 1: group envelope  → nonce(16) ‖ tag(16) ‖ ciphertext          ({@link GroupEnvelope})
 *            2: direct envelope → enc(32) ‖ ciphertext                      ({@link DirectEnvelope})
 * </pre>
 *
 * <p>There are no length fields: an envelope travels in a length-delimited frame and its fields
 * end where the frame ends. Every envelope a sender produces has one of its padding bucket sizes
 * ({@link Padding}); receivers accept any length from the kind's minimum ({@code 54} bytes for
 * both kinds: 50 bytes of overhead plus the 4-byte body length) up to {@value
 * EnvelopeConstants#MAX_ENVELOPE_LENGTH} bytes. Nothing outside the ciphertext names the sender,
 * the group, the epoch or the exact body length. An unknown version or kind is rejected; a future
 * version gets a new version byte.
 */
public final class SealedEnvelope {

  /** The two kinds of envelope. */
  public enum Kind {
    /** Encrypted once for a channel epoch; see {@link GroupEnvelope}. */
    GROUP,
    /** HPKE-encrypted to one node's inbox key; see {@link DirectEnvelope}. */
    DIRECT
  }

  private static final int MIN_LENGTH =
      Math.min(EnvelopeConstants.GROUP_OVERHEAD, EnvelopeConstants.DIRECT_OVERHEAD)
          + EnvelopeConstants.LENGTH_PREFIX;

  private SealedEnvelope() {}

  /**
   * Reads the kind of an envelope from its prefix after checking version and length bounds.
   *
   * @param envelope the received bytes, not modified
   * @return the kind
   * @throws EnvelopeException if the envelope is shorter or longer than allowed or has an unknown
   *     version or kind
   */
  public static Kind kindOf(byte[] envelope) throws EnvelopeException {
    Objects.requireNonNull(envelope, "envelope");
    if (envelope.length < MIN_LENGTH
        || envelope.length > EnvelopeConstants.MAX_ENVELOPE_LENGTH
        || envelope[0] != EnvelopeConstants.VERSION) {
      throw new EnvelopeException();
    }
    switch (envelope[1]) {
      case EnvelopeConstants.KIND_GROUP:
        return Kind.GROUP;
      case EnvelopeConstants.KIND_DIRECT:
        return Kind.DIRECT;
      default:
        throw new EnvelopeException();
    }
  }
}
