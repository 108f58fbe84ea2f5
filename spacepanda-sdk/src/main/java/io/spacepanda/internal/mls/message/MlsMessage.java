package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Objects;

/**
 * {@code MLSMessage} of RFC 9420 §6: the protocol version, the wire format and exactly one body.
 *
 * <p>Decoding accepts only version mls10 and the five wire formats of the RFC (§17.2); the body of
 * any other wire format has no length and cannot be skipped. Immutable.
 */
public final class MlsMessage implements TlsEncodable {

  private final int wireFormat;
  private final TlsEncodable body;

  private MlsMessage(int wireFormat, TlsEncodable body) {
    this.wireFormat = wireFormat;
    this.body = Objects.requireNonNull(body, "body");
  }

  /**
   * Wraps a public message.
   *
   * @param m the message
   * @return the MLSMessage
   */
  public static MlsMessage of(PublicMessage m) {
    return new MlsMessage(WireFormat.PUBLIC_MESSAGE, m);
  }

  /**
   * Wraps a private message.
   *
   * @param m the message
   * @return the MLSMessage
   */
  public static MlsMessage of(PrivateMessage m) {
    return new MlsMessage(WireFormat.PRIVATE_MESSAGE, m);
  }

  /**
   * Wraps a welcome.
   *
   * @param m the welcome
   * @return the MLSMessage
   */
  public static MlsMessage of(Welcome m) {
    return new MlsMessage(WireFormat.WELCOME, m);
  }

  /**
   * Wraps a group info.
   *
   * @param m the group info
   * @return the MLSMessage
   */
  public static MlsMessage of(GroupInfo m) {
    return new MlsMessage(WireFormat.GROUP_INFO, m);
  }

  /**
   * Wraps a key package.
   *
   * @param m the key package
   * @return the MLSMessage
   */
  public static MlsMessage of(KeyPackage m) {
    return new MlsMessage(WireFormat.KEY_PACKAGE, m);
  }

  /** @return the protocol version, always {@link ProtocolVersion#MLS10} */
  public int version() {
    return ProtocolVersion.MLS10;
  }

  /** @return the wire format code point */
  public int wireFormat() {
    return wireFormat;
  }

  /** @return the public message, or null for another wire format */
  public PublicMessage publicMessage() {
    return body instanceof PublicMessage m ? m : null;
  }

  /** @return the private message, or null for another wire format */
  public PrivateMessage privateMessage() {
    return body instanceof PrivateMessage m ? m : null;
  }

  /** @return the welcome, or null for another wire format */
  public Welcome welcome() {
    return body instanceof Welcome m ? m : null;
  }

  /** @return the group info, or null for another wire format */
  public GroupInfo groupInfo() {
    return body instanceof GroupInfo m ? m : null;
  }

  /** @return the key package, or null for another wire format */
  public KeyPackage keyPackage() {
    return body instanceof KeyPackage m ? m : null;
  }

  /**
   * Decodes one {@code MLSMessage} (RFC 9420 §6).
   *
   * @param r the reader
   * @return the message
   * @throws MlsDecodeException if malformed, of another version or of an unknown wire format
   */
  public static MlsMessage decode(TlsReader r) throws MlsDecodeException {
    if (r.u16() != ProtocolVersion.MLS10) {
      throw new MlsDecodeException("unsupported protocol version");
    }
    int wireFormat = r.u16();
    switch (wireFormat) {
      case WireFormat.PUBLIC_MESSAGE:
        return of(PublicMessage.decode(r));
      case WireFormat.PRIVATE_MESSAGE:
        return of(PrivateMessage.decode(r));
      case WireFormat.WELCOME:
        return of(Welcome.decode(r));
      case WireFormat.GROUP_INFO:
        return of(GroupInfo.decode(r));
      case WireFormat.KEY_PACKAGE:
        return of(KeyPackage.decode(r));
      default:
        throw new MlsDecodeException("unknown wire format");
    }
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §6
    w.u16(ProtocolVersion.MLS10).u16(wireFormat);
    body.encode(w);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MlsMessage m && wireFormat == m.wireFormat && body.equals(m.body);
  }

  @Override
  public int hashCode() {
    return 31 * wireFormat + body.hashCode();
  }

  @Override
  public String toString() {
    return "MlsMessage[" + body + "]";
  }
}
