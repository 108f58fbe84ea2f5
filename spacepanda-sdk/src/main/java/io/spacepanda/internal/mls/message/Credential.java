package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code Credential} of RFC 9420 §5.3: a basic identity or an X.509 certificate chain.
 *
 * <p>Only the two credential types the RFC defines (§17.5: basic 1, x509 2) can be decoded, since
 * the body of any other type has no length prefix. Immutable; byte arrays are not copied.
 */
public final class Credential implements TlsEncodable {

  /** {@code CredentialType basic}. */
  public static final int BASIC = 1;

  /** {@code CredentialType x509}. */
  public static final int X509 = 2;

  private final int credentialType;
  private final byte[] identity;
  private final List<byte[]> certificates;

  private Credential(int credentialType, byte[] identity, List<byte[]> certificates) {
    this.credentialType = credentialType;
    this.identity = identity;
    this.certificates = certificates;
  }

  /**
   * Creates a basic credential.
   *
   * @param identity the application-defined identity
   * @return the credential
   */
  public static Credential basic(byte[] identity) {
    return new Credential(BASIC, Objects.requireNonNull(identity, "identity"), null);
  }

  /**
   * Creates an X.509 credential.
   *
   * @param certificates DER certificates, leaf first
   * @return the credential
   */
  public static Credential x509(List<byte[]> certificates) {
    return new Credential(X509, null, Codec.bytesList(certificates, "certificates"));
  }

  /** @return the credential type (1 basic, 2 x509) */
  public int credentialType() {
    return credentialType;
  }

  /** @return the identity of a basic credential, null for x509 */
  public byte[] identity() {
    return identity;
  }

  /** @return the certificate chain of an x509 credential, null for basic */
  public List<byte[]> certificates() {
    return certificates;
  }

  /**
   * Decodes one {@code Credential} (RFC 9420 §5.3).
   *
   * @param r the reader
   * @return the credential
   * @throws MlsDecodeException if malformed, oversized or of an unknown type
   */
  public static Credential decode(TlsReader r) throws MlsDecodeException {
    int type = r.u16();
    switch (type) {
      case BASIC:
        return new Credential(BASIC, r.opaque(MlsConstants.MAX_CREDENTIAL_SIZE), null);
      case X509:
        // RFC 9420 §5.3: struct { opaque cert_data<V>; } Certificate; Certificate certificates<V>
        return new Credential(X509, null,
            r.vector(cr -> cr.opaque(MlsConstants.MAX_CREDENTIAL_SIZE)));
      default:
        throw new MlsDecodeException("unknown credential type");
    }
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §5.3
    w.u16(credentialType);
    if (credentialType == BASIC) {
      w.opaque(identity);
    } else {
      w.vector(certificates, TlsWriter::opaque);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Credential c && credentialType == c.credentialType
        && Arrays.equals(identity, c.identity) && Codec.equalBytesLists(certificates, c.certificates);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * credentialType + Arrays.hashCode(identity)) + Codec.hashBytesList(certificates);
  }

  @Override
  public String toString() {
    return credentialType == BASIC
        ? "Credential[basic " + Codec.show(identity) + "]"
        : "Credential[x509 " + certificates.size() + " certificates]";
  }
}
