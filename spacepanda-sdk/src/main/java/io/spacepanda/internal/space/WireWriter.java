package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the space layer's TLS-style binary formats: big-endian integers, fixed-length byte
 * strings, and byte strings prefixed by their length in 1, 2 or 4 bytes (RFC 8446 §3 notation:
 * {@code opaque x<0..2^8-1>}). Callers validate values before writing; the writer only checks that
 * a length fits its prefix. Not thread-safe; one writer per encoding.
 */
final class WireWriter {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

  WireWriter u8(int v) {
    if (v < 0 || v > 0xff) {
      throw new IllegalArgumentException("u8 out of range: " + v);
    }
    out.write(v);
    return this;
  }

  WireWriter u16(int v) {
    if (v < 0 || v > 0xffff) {
      throw new IllegalArgumentException("u16 out of range: " + v);
    }
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  WireWriter u32(int v) {
    if (v < 0) {
      throw new IllegalArgumentException("u32 out of range: " + v);
    }
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.write(v >>> shift);
    }
    return this;
  }

  WireWriter u64(long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (v >>> shift));
    }
    return this;
  }

  WireWriter fixed(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  WireWriter opaque8(byte[] b) {
    return u8(b.length).fixed(b);
  }

  WireWriter opaque16(byte[] b) {
    return u16(b.length).fixed(b);
  }

  WireWriter opaque32(byte[] b) {
    return u32(b.length).fixed(b);
  }

  WireWriter utf8(String s) {
    return opaque8(s.getBytes(StandardCharsets.UTF_8));
  }

  WireWriter peer(PeerId p) {
    return opaque8(p.bytes());
  }

  WireWriter addresses(List<String> addresses) {
    u8(addresses.size());
    for (String a : addresses) {
      opaque8(a.getBytes(StandardCharsets.US_ASCII));
    }
    return this;
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
