package io.spacepanda.internal.mls.codec;

import io.spacepanda.internal.mls.MlsDecodeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Reads the TLS presentation language as RFC 9420 uses it (§2.1). Every read checks bounds, so
 * truncated input, a length beyond the enclosing vector, a non-minimal or reserved (0b11) varint
 * header, or more elements than {@link #MAX_VECTOR_ELEMENTS} end in an {@link MlsDecodeException}
 * and never in another exception or an allocation larger than the input.
 *
 * <p>Not thread-safe. A reader views the array it was given and never modifies it; every returned
 * {@code byte[]} is a copy.
 */
public final class TlsReader {

  /** Upper bound on the number of elements of any single vector (defence against tiny elements). */
  public static final int MAX_VECTOR_ELEMENTS = 1 << 20;

  private final byte[] buf;
  private int pos;
  private final int limit;

  /**
   * Creates a reader over all of {@code bytes}.
   *
   * @param bytes the input
   */
  public TlsReader(byte[] bytes) {
    this(bytes, 0, bytes.length);
  }

  private TlsReader(byte[] buf, int pos, int limit) {
    this.buf = buf;
    this.pos = pos;
    this.limit = limit;
  }

  /**
   * Decodes {@code bytes} as exactly one value: trailing bytes are an error.
   *
   * @param bytes the input
   * @param decoder the value's decoder
   * @param <T> the type
   * @return the value
   * @throws MlsDecodeException if the bytes are not exactly one valid encoding
   */
  public static <T> T decodeExactly(byte[] bytes, TlsDecoder<T> decoder) throws MlsDecodeException {
    if (bytes == null) {
      throw new MlsDecodeException("null input");
    }
    TlsReader r = new TlsReader(bytes);
    T value = decoder.decode(r);
    r.expectEnd();
    return value;
  }

  /** @return bytes left to read */
  public int remaining() {
    return limit - pos;
  }

  /** @return true when nothing is left */
  public boolean isEmpty() {
    return pos >= limit;
  }

  /** @return the current offset into the underlying array */
  public int position() {
    return pos;
  }

  /**
   * Copies the bytes between an earlier {@link #position()} and the current one; used to keep the
   * exact encoding of a decoded structure (e.g. for signatures over it).
   *
   * @param from an earlier position
   * @return the bytes
   */
  public byte[] bytesSince(int from) {
    return Arrays.copyOfRange(buf, from, pos);
  }

  /**
   * Fails unless every byte was consumed.
   *
   * @throws MlsDecodeException if bytes are left
   */
  public void expectEnd() throws MlsDecodeException {
    if (pos != limit) {
      throw new MlsDecodeException("trailing bytes");
    }
  }

  private void need(int n) throws MlsDecodeException {
    if (n < 0 || limit - pos < n) {
      throw new MlsDecodeException("truncated input");
    }
  }

  /**
   * @return a uint8
   * @throws MlsDecodeException on truncation
   */
  public int u8() throws MlsDecodeException {
    need(1);
    return buf[pos++] & 0xFF;
  }

  /**
   * @return a uint16
   * @throws MlsDecodeException on truncation
   */
  public int u16() throws MlsDecodeException {
    need(2);
    int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  /**
   * @return a uint32 as a non-negative long
   * @throws MlsDecodeException on truncation
   */
  public long u32() throws MlsDecodeException {
    need(4);
    long v = ((long) (buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16)
        | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
    pos += 4;
    return v;
  }

  /**
   * @return a uint64 (as the bits of a long)
   * @throws MlsDecodeException on truncation
   */
  public long u64() throws MlsDecodeException {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  /**
   * Reads a boolean byte; only 0 and 1 are valid.
   *
   * @return the value
   * @throws MlsDecodeException on truncation or another byte value
   */
  public boolean bool() throws MlsDecodeException {
    int b = u8();
    if (b > 1) {
      throw new MlsDecodeException("invalid boolean");
    }
    return b == 1;
  }

  /**
   * Reads {@code n} bytes with no prefix.
   *
   * @param n byte count
   * @return a copy of the bytes
   * @throws MlsDecodeException on truncation
   */
  public byte[] raw(int n) throws MlsDecodeException {
    need(n);
    byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  /**
   * Reads a §2.1.2 variable-length integer; rejects the reserved prefix 0b11 and non-minimal forms.
   *
   * @return the value
   * @throws MlsDecodeException on truncation or an invalid header
   */
  public int varint() throws MlsDecodeException {
    need(1);
    int first = buf[pos] & 0xFF;
    int prefix = first >>> 6;
    switch (prefix) {
      case 0:
        pos++;
        return first;
      case 1: {
        int v = u16() & 0x3FFF;
        if (v < 0x40) {
          throw new MlsDecodeException("non-minimal length");
        }
        return v;
      }
      case 2: {
        long v = u32() & 0x3FFFFFFFL;
        if (v < 0x4000) {
          throw new MlsDecodeException("non-minimal length");
        }
        return (int) v;
      }
      default:
        throw new MlsDecodeException("invalid length prefix");
    }
  }

  /**
   * Reads {@code opaque<V>}.
   *
   * @return a copy of the bytes
   * @throws MlsDecodeException on truncation or an invalid header
   */
  public byte[] opaque() throws MlsDecodeException {
    int len = varint();
    return raw(len);
  }

  /**
   * Reads {@code opaque<V>} and requires at most {@code max} bytes.
   *
   * @param max largest accepted length
   * @return a copy of the bytes
   * @throws MlsDecodeException on truncation, an invalid header or an oversized value
   */
  public byte[] opaque(int max) throws MlsDecodeException {
    int len = varint();
    if (len > max) {
      throw new MlsDecodeException("value too long");
    }
    return raw(len);
  }

  /**
   * Reads {@code opaque<V>} as UTF-8 text.
   *
   * @return the string
   * @throws MlsDecodeException on truncation or an invalid header
   */
  public String string() throws MlsDecodeException {
    return new String(opaque(), StandardCharsets.UTF_8);
  }

  /**
   * Reads a vector's header and returns a reader confined to its body; this reader skips past it.
   *
   * @return a reader over the vector's body
   * @throws MlsDecodeException on truncation or an invalid header
   */
  public TlsReader vectorReader() throws MlsDecodeException {
    int len = varint();
    need(len);
    TlsReader sub = new TlsReader(buf, pos, pos + len);
    pos += len;
    return sub;
  }

  /**
   * Reads a vector of items; the items must fill the vector exactly.
   *
   * @param decoder decodes one item
   * @param <T> item type
   * @return an unmodifiable list
   * @throws MlsDecodeException if the vector or an item is malformed
   */
  public <T> List<T> vector(TlsDecoder<T> decoder) throws MlsDecodeException {
    TlsReader sub = vectorReader();
    List<T> out = new ArrayList<>();
    while (!sub.isEmpty()) {
      if (out.size() >= MAX_VECTOR_ELEMENTS) {
        throw new MlsDecodeException("too many elements");
      }
      out.add(decoder.decode(sub));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Reads {@code optional<T>} (§2.1.1).
   *
   * @param decoder decodes the value
   * @param <T> the type
   * @return the value or null when absent
   * @throws MlsDecodeException if malformed
   */
  public <T> T optional(TlsDecoder<T> decoder) throws MlsDecodeException {
    return bool() ? decoder.decode(this) : null;
  }

  /**
   * Reads {@code optional<opaque<V>>}.
   *
   * @return the bytes or null when absent
   * @throws MlsDecodeException if malformed
   */
  public byte[] optionalOpaque() throws MlsDecodeException {
    return bool() ? opaque() : null;
  }
}
