package io.spacepanda.internal.envelope;

import java.util.Objects;

/**
 * The outer wire format of every sealed envelope, which is all a relay or network observer sees.
 *
 * <pre>
 * envelope = version(1) ‖ head(32) ‖ ciphertext
 * version  = 2
 * head     = nonce(16) ‖ tag(16)       for a group envelope  ({@link GroupEnvelope})
 *          = enc(32), top bit random   for a direct envelope ({@link DirectEnvelope})
 * </pre>
 *
 * <p>Nothing outside the seal tells the two kinds apart (version 1 had a kind byte; issue 16): both
 * add {@value EnvelopeConstants#GROUP_OVERHEAD} bytes to their padded body, so one body length
 * gives one envelope length, and both heads look random. A receiver finds the kind by trying:
 * first its group tags (one HMAC per candidate epoch, {@link TagIndex}), then its inbox key (one
 * HPKE open). The known residue is described on {@link DirectEnvelope}.
 *
 * <p>There are no length fields: an envelope travels in a length-delimited frame and its fields
 * end where the frame ends. Every envelope a sender produces has one of its padding bucket sizes
 * ({@link Padding}); receivers accept any length from {@code 53} bytes (49 bytes of overhead plus
 * the 4-byte body length) up to {@value EnvelopeConstants#MAX_ENVELOPE_LENGTH} bytes. Nothing
 * outside the ciphertext names the sender, the group, the epoch, the kind or the exact body length.
 * An unknown version is rejected; a future version gets a new version byte.
 */
public final class SealedEnvelope {

  /** Shortest well-framed envelope. */
  public static final int MIN_LENGTH =
      Math.min(EnvelopeConstants.GROUP_OVERHEAD, EnvelopeConstants.DIRECT_OVERHEAD)
          + EnvelopeConstants.LENGTH_PREFIX;

  private SealedEnvelope() {}

  /**
   * Checks the version and length bounds of an envelope, the only things visible outside its seal.
   *
   * @param envelope the received bytes, not modified
   * @throws EnvelopeException if the envelope is shorter or longer than allowed or has an unknown
   *     version
   */
  public static void checkFraming(byte[] envelope) throws EnvelopeException {
    Objects.requireNonNull(envelope, "envelope");
    if (envelope.length < MIN_LENGTH
        || envelope.length > EnvelopeConstants.MAX_ENVELOPE_LENGTH
        || envelope[0] != EnvelopeConstants.VERSION) {
      throw new EnvelopeException();
    }
  }
}
