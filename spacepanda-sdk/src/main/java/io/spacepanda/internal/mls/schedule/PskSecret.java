package io.spacepanda.internal.mls.schedule;

import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.util.List;
import java.util.Objects;

/**
 * Computes the {@code psk_secret} that a list of pre-shared keys injects into the key schedule
 * (RFC 9420 §8.4).
 *
 * <p>Design: for PSK {@code i} of {@code n}, {@code psk_extracted = Extract(0, psk)},
 * {@code psk_input = ExpandWithLabel(psk_extracted, "derived psk", PSKLabel, Nh)} with
 * {@code PSKLabel = struct { PreSharedKeyID id; uint16 index; uint16 count; }}, and the secrets
 * chain as {@code psk_secret_[i+1] = Extract(psk_input_[i], psk_secret_[i])} from the zero vector.
 * Stateless and thread-safe.
 */
public final class PskSecret {

  /** Largest number of PSKs one computation accepts (the index and count are uint16 on the wire). */
  public static final int MAX_PSKS = 0xFFFF;

  private PskSecret() {}

  /**
   * One pre-shared key: its identifier, as the encoded {@code PreSharedKeyID}, and its value.
   *
   * @param id the {@code PreSharedKeyID} (any encodable form, e.g. the message package's type)
   * @param psk the key's value
   */
  public record Input(TlsEncodable id, byte[] psk) {

    /**
     * Checks the components.
     *
     * @param id the identifier
     * @param psk the key's value
     */
    public Input {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(psk, "psk");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Input
          && id.equals(((Input) o).id)
          && java.security.MessageDigest.isEqual(psk, ((Input) o).psk);
    }

    @Override
    public int hashCode() {
      return id.hashCode();
    }

    @Override
    public String toString() {
      return "PskSecret.Input(" + id + ", psk hidden)";
    }
  }

  /**
   * Computes {@code psk_secret} for the given PSKs in order (RFC 9420 §8.4).
   *
   * @param suite the group's cipher suite
   * @param psks the PSKs, in the order of the Commit's PreSharedKey proposals (or the Welcome's
   *     {@code psks} list)
   * @return the PSK secret; the zero vector of length Nh when {@code psks} is empty
   * @throws IllegalArgumentException if there are more than {@link #MAX_PSKS} PSKs
   */
  public static byte[] compute(CipherSuite suite, List<Input> psks) {
    Objects.requireNonNull(suite, "suite");
    int count = psks.size();
    if (count > MAX_PSKS) {
      throw new IllegalArgumentException("too many PSKs: " + count);
    }
    int nh = suite.hashLength();
    byte[] zero = new byte[nh];
    byte[] secret = zero;
    for (int i = 0; i < count; i++) {
      Input in = psks.get(i);
      byte[] extracted = suite.extract(zero, in.psk());
      TlsWriter label = new TlsWriter(64);
      in.id().encode(label);
      label.u16(i).u16(count); // RFC 9420 §8.4 PSKLabel
      byte[] input = suite.expandWithLabel(extracted, "derived psk", label.toByteArray(), nh);
      secret = suite.extract(input, secret);
    }
    return secret;
  }
}
