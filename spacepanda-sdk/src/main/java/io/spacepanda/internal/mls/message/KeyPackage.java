package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code KeyPackage} of RFC 9420 §10: a signed offer to join groups with a given version and
 * cipher suite. Version and suite are kept as sent; whether they are supported is a validation
 * question, not a decoding one.
 *
 * @param version protocol version (1 = mls10)
 * @param cipherSuite cipher suite id
 * @param initKey HPKE public key for the Welcome
 * @param leafNode the leaf the member will occupy (source key_package)
 * @param extensions key package extensions
 * @param signature SignWithLabel(., "KeyPackageTBS", KeyPackageTBS); empty before signing
 */
public record KeyPackage(int version, int cipherSuite, byte[] initKey, LeafNode leafNode,
    List<Extension> extensions, byte[] signature) implements TlsEncodable {

  /** Label of the key package reference (RFC 9420 §5.2). */
  public static final String REF_LABEL = "MLS 1.0 KeyPackage Reference";

  /** Checks presence and ranges and copies the list. */
  public KeyPackage {
    if ((version & ~0xFFFF) != 0 || (cipherSuite & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("version or cipher suite out of range");
    }
    Objects.requireNonNull(initKey, "initKey");
    Objects.requireNonNull(leafNode, "leafNode");
    extensions = Codec.list(extensions, "extensions");
    signature = signature == null ? new byte[0] : signature;
  }

  /**
   * Returns this key package with another signature.
   *
   * @param newSignature the signature
   * @return a new key package
   */
  public KeyPackage withSignature(byte[] newSignature) {
    return new KeyPackage(version, cipherSuite, initKey, leafNode, extensions,
        Objects.requireNonNull(newSignature, "signature"));
  }

  /**
   * Encodes the {@code KeyPackageTBS} the signature covers (RFC 9420 §10).
   *
   * @return the encoding to pass to SignWithLabel with label "KeyPackageTBS"
   */
  public byte[] toBeSigned() {
    TlsWriter w = new TlsWriter();
    writeContent(w);
    return w.toByteArray();
  }

  /**
   * Computes this key package's reference (RFC 9420 §5.2).
   *
   * @param suite the cipher suite
   * @return RefHash("MLS 1.0 KeyPackage Reference", KeyPackage)
   */
  public byte[] ref(CipherSuite suite) {
    return suite.refHash(REF_LABEL, toBytes());
  }

  private void writeContent(TlsWriter w) {
    // RFC 9420 §10
    w.u16(version).u16(cipherSuite).opaque(initKey);
    leafNode.encode(w);
    w.vector(extensions);
  }

  @Override
  public void encode(TlsWriter w) {
    writeContent(w);
    w.opaque(signature);
  }

  /**
   * Decodes one {@code KeyPackage} (RFC 9420 §10).
   *
   * @param r the reader
   * @return the key package
   * @throws MlsDecodeException if malformed or oversized
   */
  public static KeyPackage decode(TlsReader r) throws MlsDecodeException {
    int version = r.u16();
    int suite = r.u16();
    byte[] initKey = r.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE);
    LeafNode leaf = LeafNode.decode(r);
    List<Extension> extensions = r.vector(Extension::decode);
    byte[] signature = r.opaque(MlsConstants.MAX_SIGNATURE_SIZE);
    return new KeyPackage(version, suite, initKey, leaf, extensions, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyPackage k && version == k.version && cipherSuite == k.cipherSuite
        && Arrays.equals(initKey, k.initKey) && leafNode.equals(k.leafNode)
        && extensions.equals(k.extensions) && Arrays.equals(signature, k.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, cipherSuite, Arrays.hashCode(initKey), leafNode, extensions,
        Arrays.hashCode(signature));
  }

  @Override
  public String toString() {
    return "KeyPackage[version=" + version + ", cipherSuite=" + cipherSuite + ", initKey="
        + Codec.show(initKey) + ", leafNode=" + leafNode + ", extensions=" + extensions.size() + "]";
  }
}
