package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.List;

/**
 * {@code Capabilities} of RFC 9420 §7.2: the versions, cipher suites, extension, proposal and
 * credential types a leaf supports (each a uint16 code point; unknown values are kept).
 *
 * @param versions supported protocol versions
 * @param cipherSuites supported cipher suites
 * @param extensions supported non-default extension types
 * @param proposals supported non-default proposal types
 * @param credentials supported credential types
 */
public record Capabilities(List<Integer> versions, List<Integer> cipherSuites,
    List<Integer> extensions, List<Integer> proposals, List<Integer> credentials)
    implements TlsEncodable {

  /** Copies the lists into unmodifiable ones and checks every value is a uint16. */
  public Capabilities {
    versions = u16s(versions, "versions");
    cipherSuites = u16s(cipherSuites, "cipherSuites");
    extensions = u16s(extensions, "extensions");
    proposals = u16s(proposals, "proposals");
    credentials = u16s(credentials, "credentials");
  }

  private static List<Integer> u16s(List<Integer> values, String name) {
    List<Integer> copy = Codec.list(values, name);
    for (int v : copy) {
      if ((v & ~0xFFFF) != 0) {
        throw new IllegalArgumentException(name + " value out of range: " + v);
      }
    }
    return copy;
  }

  /**
   * Decodes one {@code Capabilities} (RFC 9420 §7.2).
   *
   * @param r the reader
   * @return the value
   * @throws MlsDecodeException if malformed
   */
  public static Capabilities decode(TlsReader r) throws MlsDecodeException {
    return new Capabilities(r.vector(TlsReader::u16), r.vector(TlsReader::u16),
        r.vector(TlsReader::u16), r.vector(TlsReader::u16), r.vector(TlsReader::u16));
  }

  @Override
  public void encode(TlsWriter w) {
    // RFC 9420 §7.2
    w.vector(versions, TlsWriter::u16);
    w.vector(cipherSuites, TlsWriter::u16);
    w.vector(extensions, TlsWriter::u16);
    w.vector(proposals, TlsWriter::u16);
    w.vector(credentials, TlsWriter::u16);
  }
}
