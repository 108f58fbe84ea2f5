package io.spacepanda.internal.mls.schedule;

import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.nio.charset.StandardCharsets;

/**
 * {@code ExpandWithLabel} and {@code DeriveSecret} over labels given as raw bytes (RFC 9420
 * §5.1.2), for the exporter (§8.5), whose label is an application-chosen byte string that need
 * not be ASCII.
 */
final class Labels {

  private static final byte[] PREFIX = "MLS 1.0 ".getBytes(StandardCharsets.US_ASCII);

  private Labels() {}

  /** ExpandWithLabel(secret, label, context, length) with a byte label (RFC 9420 §5.1.2). */
  static byte[] expandWithLabel(CipherSuite suite, byte[] secret, byte[] label, byte[] context,
      int length) {
    byte[] full = new byte[PREFIX.length + label.length];
    System.arraycopy(PREFIX, 0, full, 0, PREFIX.length);
    System.arraycopy(label, 0, full, PREFIX.length, label.length);
    byte[] info = new TlsWriter(16 + full.length + context.length).u16(length).opaque(full)
        .opaque(context).toByteArray();
    return suite.expand(secret, info, length);
  }

  /** DeriveSecret(secret, label) with a byte label (RFC 9420 §5.1.2). */
  static byte[] deriveSecret(CipherSuite suite, byte[] secret, byte[] label) {
    return expandWithLabel(suite, secret, label, new byte[0], suite.hashLength());
  }
}
