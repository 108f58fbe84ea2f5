package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code PrivateMessage} of RFC 9420 §6.3: encrypted sender data and encrypted content.
 *
 * @param groupId the group id
 * @param epoch the epoch (uint64 bits)
 * @param contentType the type of the encrypted content
 * @param authenticatedData authenticated but unencrypted data
 * @param encryptedSenderData the encrypted {@link SenderData}
 * @param ciphertext the encrypted {@link PrivateMessageContent}
 */
public record PrivateMessage(byte[] groupId, long epoch, ContentType contentType,
    byte[] authenticatedData, byte[] encryptedSenderData, byte[] ciphertext)
    implements TlsEncodable {

  /** Checks presence. */
  public PrivateMessage {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(authenticatedData, "authenticatedData");
    Objects.requireNonNull(encryptedSenderData, "encryptedSenderData");
    Objects.requireNonNull(ciphertext, "ciphertext");
  }

  /**
   * Decodes one {@code PrivateMessage} (RFC 9420 §6.3).
   *
   * @param r the reader
   * @return the message
   * @throws MlsDecodeException if malformed, oversized or of an unknown content type
   */
  public static PrivateMessage decode(TlsReader r) throws MlsDecodeException {
    byte[] groupId = r.opaque(MlsConstants.MAX_GROUP_ID_SIZE);
    long epoch = r.u64();
    ContentType type = ContentType.of(r.u8());
    byte[] aad = r.opaque(MlsConstants.MAX_AUTHENTICATED_DATA_SIZE);
    byte[] senderData = r.opaque(MlsConstants.MAX_ENCRYPTED_SENDER_DATA_SIZE);
    byte[] ciphertext = r.opaque(MlsConstants.MAX_CIPHERTEXT_SIZE);
    return new PrivateMessage(groupId, epoch, type, aad, senderData, ciphertext);
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §6.3
    w.opaque(groupId).u64(epoch).u8(contentType.value()).opaque(authenticatedData)
        .opaque(encryptedSenderData).opaque(ciphertext);
  }

  /**
   * Encodes the {@code SenderDataAAD} of this message (RFC 9420 §6.3.2).
   *
   * @return group id, epoch and content type
   */
  public byte[] senderDataAad() {
    return new TlsWriter().opaque(groupId).u64(epoch).u8(contentType.value()).toByteArray();
  }

  /**
   * Encodes the {@code PrivateContentAAD} of this message (RFC 9420 §6.3.1).
   *
   * @return group id, epoch, content type and authenticated data
   */
  public byte[] privateContentAad() {
    return new TlsWriter().opaque(groupId).u64(epoch).u8(contentType.value())
        .opaque(authenticatedData).toByteArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrivateMessage m && Arrays.equals(groupId, m.groupId) && epoch == m.epoch
        && contentType == m.contentType && Arrays.equals(authenticatedData, m.authenticatedData)
        && Arrays.equals(encryptedSenderData, m.encryptedSenderData)
        && Arrays.equals(ciphertext, m.ciphertext);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(groupId), epoch, contentType,
        Arrays.hashCode(authenticatedData), Arrays.hashCode(encryptedSenderData),
        Arrays.hashCode(ciphertext));
  }

  @Override
  public String toString() {
    return "PrivateMessage[groupId=" + Codec.show(groupId) + ", epoch="
        + Long.toUnsignedString(epoch) + ", contentType=" + contentType + ", ciphertext="
        + ciphertext.length + " bytes]";
  }
}
