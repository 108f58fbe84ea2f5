package io.spacepanda.internal.mls.schedule;

import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.AuthenticatedContent;
import io.spacepanda.internal.mls.message.FramedContent;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The confirmed and interim transcript hashes and the confirmation tag (RFC 9420 §8.2, §6.1).
 *
 * <pre>
 *   confirmed_transcript_hash_[n] = Hash(interim_transcript_hash_[n-1] || ConfirmedTranscriptHashInput_[n])
 *   interim_transcript_hash_[n]   = Hash(confirmed_transcript_hash_[n] || InterimTranscriptHashInput_[n])
 *   confirmation_tag              = MAC(confirmation_key, confirmed_transcript_hash)
 * </pre>
 *
 * <p>{@code ConfirmedTranscriptHashInput} is {@code wire_format || FramedContent || signature<V>},
 * i.e. the encoding of the Commit's AuthenticatedContent without its confirmation tag;
 * {@code InterimTranscriptHashInput} is {@code confirmation_tag<V>}. Stateless and thread-safe.
 */
public final class TranscriptHash {

  private TranscriptHash() {}

  /**
   * Computes the confirmed transcript hash after a Commit (RFC 9420 §8.2).
   *
   * @param suite the group's cipher suite
   * @param interimBefore the interim transcript hash of the previous epoch (empty for epoch 0)
   * @param confirmedInput the encoded {@code ConfirmedTranscriptHashInput}
   * @return the confirmed transcript hash
   */
  public static byte[] confirmed(CipherSuite suite, byte[] interimBefore, byte[] confirmedInput) {
    Objects.requireNonNull(interimBefore, "interimBefore");
    Objects.requireNonNull(confirmedInput, "confirmedInput");
    byte[] buf = new byte[interimBefore.length + confirmedInput.length];
    System.arraycopy(interimBefore, 0, buf, 0, interimBefore.length);
    System.arraycopy(confirmedInput, 0, buf, interimBefore.length, confirmedInput.length);
    return suite.hash(buf);
  }

  /**
   * Computes the confirmed transcript hash after a Commit's AuthenticatedContent (RFC 9420 §8.2).
   *
   * @param suite the group's cipher suite
   * @param interimBefore the interim transcript hash of the previous epoch (empty for epoch 0)
   * @param commit the Commit's authenticated content
   * @return the confirmed transcript hash
   */
  public static byte[] confirmed(CipherSuite suite, byte[] interimBefore,
      AuthenticatedContent commit) {
    return confirmed(suite, interimBefore, commit.confirmedTranscriptHashInput());
  }

  /**
   * Computes the confirmed transcript hash after a Commit that is signed but has no confirmation
   * tag yet, as its sender needs it (RFC 9420 §8.2).
   *
   * @param suite the group's cipher suite
   * @param interimBefore the interim transcript hash of the previous epoch (empty for epoch 0)
   * @param wireFormat the wire format the Commit is sent with
   * @param content the Commit's framed content
   * @param signature the Commit's signature
   * @return the confirmed transcript hash
   */
  public static byte[] confirmed(CipherSuite suite, byte[] interimBefore, int wireFormat,
      FramedContent content, byte[] signature) {
    TlsWriter w = new TlsWriter(interimBefore.length + 512);
    w.raw(interimBefore).u16(wireFormat);
    content.encode(w);
    w.opaque(signature); // RFC 9420 §8.2 ConfirmedTranscriptHashInput after interim hash
    return suite.hash(w.toByteArray());
  }

  /**
   * Computes the interim transcript hash from a confirmed one and the Commit's confirmation tag
   * (RFC 9420 §8.2).
   *
   * @param suite the group's cipher suite
   * @param confirmed the confirmed transcript hash
   * @param confirmationTag the Commit's confirmation tag
   * @return the interim transcript hash
   */
  public static byte[] interim(CipherSuite suite, byte[] confirmed, byte[] confirmationTag) {
    TlsWriter w = new TlsWriter(confirmed.length + confirmationTag.length + 4);
    w.raw(confirmed).opaque(confirmationTag); // RFC 9420 §8.2 InterimTranscriptHashInput
    return suite.hash(w.toByteArray());
  }

  /**
   * Computes the confirmation tag of an epoch (RFC 9420 §6.1).
   *
   * @param suite the group's cipher suite
   * @param confirmationKey the new epoch's confirmation key
   * @param confirmed the new epoch's confirmed transcript hash
   * @return {@code MAC(confirmation_key, confirmed_transcript_hash)}
   */
  public static byte[] confirmationTag(CipherSuite suite, byte[] confirmationKey, byte[] confirmed) {
    return suite.mac(confirmationKey, confirmed);
  }

  /**
   * Checks a received confirmation tag in constant time (RFC 9420 §6.1).
   *
   * @param suite the group's cipher suite
   * @param confirmationKey the new epoch's confirmation key
   * @param confirmed the new epoch's confirmed transcript hash
   * @param tag the received tag
   * @return whether the tag is right
   */
  public static boolean verifyConfirmationTag(CipherSuite suite, byte[] confirmationKey,
      byte[] confirmed, byte[] tag) {
    return MessageDigest.isEqual(confirmationTag(suite, confirmationKey, confirmed), tag);
  }
}
