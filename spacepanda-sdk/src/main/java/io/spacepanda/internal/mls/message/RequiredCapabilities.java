package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.List;

/**
 * {@code RequiredCapabilities} of RFC 9420 §11.1: the body of the {@code required_capabilities}
 * group context extension.
 *
 * @param extensionTypes extension types every member must support
 * @param proposalTypes proposal types every member must support
 * @param credentialTypes credential types every member must support
 */
public record RequiredCapabilities(List<Integer> extensionTypes, List<Integer> proposalTypes,
    List<Integer> credentialTypes) implements TlsEncodable {

  /** Copies the lists and checks every value is a uint16. */
  public RequiredCapabilities {
    Capabilities check = new Capabilities(List.of(), List.of(), extensionTypes, proposalTypes,
        credentialTypes);
    extensionTypes = check.extensions();
    proposalTypes = check.proposals();
    credentialTypes = check.credentials();
  }

  /**
   * Decodes one {@code RequiredCapabilities} (RFC 9420 §11.1).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed
   */
  public static RequiredCapabilities decode(TlsReader r) throws MlsDecodeException {
    return new RequiredCapabilities(r.vector(TlsReader::u16), r.vector(TlsReader::u16),
        r.vector(TlsReader::u16));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §11.1
    w.vector(extensionTypes, TlsWriter::u16);
    w.vector(proposalTypes, TlsWriter::u16);
    w.vector(credentialTypes, TlsWriter::u16);
  }

  /** @return this value as a {@code required_capabilities} extension */
  public Extension toExtension() {
    return new Extension(Extension.REQUIRED_CAPABILITIES, toBytes());
  }
}
