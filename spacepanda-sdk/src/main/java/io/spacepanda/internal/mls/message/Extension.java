package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsDecoder;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code Extension} of RFC 9420 §13.4: a uint16 type and opaque data. Every type, known or not,
 * is kept as its opaque bytes so that it round-trips unchanged.
 *
 * @param extensionType the type (IANA registry, RFC 9420 §17.3)
 * @param extensionData the extension's encoded body
 */
public record Extension(int extensionType, byte[] extensionData) implements TlsEncodable {

  /** {@code application_id} (RFC 9420 §17.3). */
  public static final int APPLICATION_ID = 1;

  /** {@code ratchet_tree} (RFC 9420 §17.3). */
  public static final int RATCHET_TREE = 2;

  /** {@code required_capabilities} (RFC 9420 §17.3). */
  public static final int REQUIRED_CAPABILITIES = 3;

  /** {@code external_pub} (RFC 9420 §17.3). */
  public static final int EXTERNAL_PUB = 4;

  /** {@code external_senders} (RFC 9420 §17.3). */
  public static final int EXTERNAL_SENDERS = 5;

  /** Checks the type is a uint16 and the data present. */
  public Extension {
    if ((extensionType & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("extension type out of range: " + extensionType);
    }
    Objects.requireNonNull(extensionData, "extensionData");
  }

  /**
   * Decodes one {@code Extension} (RFC 9420 §13.4).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed or oversized
   */
  public static Extension decode(TlsReader r) throws MlsDecodeException {
    return new Extension(r.u16(), r.opaque(MlsConstants.MAX_EXTENSION_DATA_SIZE));
  }

  @Override
  public void encode(TlsWriter w) {
    w.u16(extensionType).opaque(extensionData);
  }

  /**
   * Decodes this extension's data as exactly one value of a structure.
   *
   * @param decoder the structure's decoder, e.g. {@code ExternalPub::decode}
   * @param <T> the structure
   * @return the value
   * @throws MlsDecodeException if the data is not exactly one valid encoding
   */
  public <T> T decodeData(TlsDecoder<T> decoder) throws MlsDecodeException {
    return TlsReader.decodeExactly(extensionData, decoder);
  }

  /**
   * Finds the extension of a type in a list.
   *
   * @param extensions the list
   * @param type the extension type
   * @return the first extension of that type, or null
   */
  public static Extension findOrNull(List<Extension> extensions, int type) {
    for (Extension e : extensions) {
      if (e.extensionType == type) {
        return e;
      }
    }
    return null;
  }

  /**
   * Tells whether a list holds two extensions of the same type, which RFC 9420 §13.4 forbids.
   *
   * @param extensions the list
   * @return true if some type occurs more than once
   */
  public static boolean hasDuplicateTypes(List<Extension> extensions) {
    Set<Integer> seen = new HashSet<>();
    for (Extension e : extensions) {
      if (!seen.add(e.extensionType)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Extension e && extensionType == e.extensionType
        && Arrays.equals(extensionData, e.extensionData);
  }

  @Override
  public int hashCode() {
    return 31 * extensionType + Arrays.hashCode(extensionData);
  }

  @Override
  public String toString() {
    return "Extension[type=" + extensionType + ", data=" + Codec.show(extensionData) + "]";
  }
}
