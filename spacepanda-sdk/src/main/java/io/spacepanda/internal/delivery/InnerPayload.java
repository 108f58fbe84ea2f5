package io.spacepanda.internal.delivery;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a member encrypts inside MLS for one channel message: content type, the channel's Lamport
 * clock, the sender's own sequence number and the body. No wall-clock time: a receiver records its
 * own receive time.
 *
 * <p>Wire form (TLS presentation language, RFC 9420 §2.1): {@code u8 version = 1; u32
 * contentType; u64 lamport; u64 senderSequence; opaque body<V>}. Decoding is bounded by {@link
 * #MAX_BODY_LENGTH} and turns any malformed input into an {@link MlsDecodeException}.
 *
 * @param contentType the application content type code, 0 to 2^31-1
 * @param lamport the channel's Lamport clock, not negative
 * @param senderSequence the sender's own sequence number in this channel, not negative
 * @param body the content; the record keeps the array as given
 */
public record InnerPayload(int contentType, long lamport, long senderSequence, byte[] body) {

  /** The only version this code writes and reads. */
  public static final int VERSION = 1;

  /** The largest body accepted, in bytes (fits one MLS application message). */
  public static final int MAX_BODY_LENGTH = 60 * 1024;

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if a number is negative or the body is too long
   */
  public InnerPayload {
    Objects.requireNonNull(body, "body");
    if (contentType < 0 || lamport < 0 || senderSequence < 0) {
      throw new IllegalArgumentException("contentType, lamport and senderSequence must not be negative");
    }
    if (body.length > MAX_BODY_LENGTH) {
      throw new IllegalArgumentException("body longer than " + MAX_BODY_LENGTH + " bytes: " + body.length);
    }
  }

  /**
   * Encodes the payload.
   *
   * @return the encoding
   */
  public byte[] toBytes() {
    return new TlsWriter(body.length + 32).u8(VERSION).u32(contentType).u64(lamport)
        .u64(senderSequence).opaque(body).toByteArray();
  }

  /**
   * Decodes a payload.
   *
   * @param bytes the encoding
   * @return the payload
   * @throws MlsDecodeException if the bytes are not exactly one valid payload
   */
  public static InnerPayload decode(byte[] bytes) throws MlsDecodeException {
    return TlsReader.decodeExactly(bytes, r -> {
      int version = r.u8();
      if (version != VERSION) {
        throw new MlsDecodeException("unknown payload version");
      }
      long contentType = r.u32();
      long lamport = r.u64();
      long sequence = r.u64();
      byte[] body = r.opaque(MAX_BODY_LENGTH);
      if (contentType > Integer.MAX_VALUE || lamport < 0 || sequence < 0) {
        throw new MlsDecodeException("payload field out of range");
      }
      return new InnerPayload((int) contentType, lamport, sequence, body);
    });
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InnerPayload p && p.contentType == contentType && p.lamport == lamport
        && p.senderSequence == senderSequence && Arrays.equals(p.body, body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(contentType, lamport, senderSequence, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "InnerPayload[contentType=" + contentType + ", lamport=" + lamport + ", senderSequence="
        + senderSequence + ", length=" + body.length + "]";
  }
}
