package io.spacepanda.internal.mls.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.function.BiConsumer;

/**
 * Writes the TLS presentation language as RFC 9420 uses it (§2.1): big-endian fixed-width integers
 * and vectors prefixed with the variable-length integer of §2.1.2, always in its shortest form.
 *
 * <p>Not thread-safe; one writer per encoding. {@link #toByteArray()} returns a fresh copy.
 */
public final class TlsWriter {

  /** Largest vector length a §2.1.2 header can express (2^30 - 1). */
  public static final int MAX_VARINT = (1 << 30) - 1;

  private byte[] buf;
  private int size;

  /** Creates a writer with a small initial buffer. */
  public TlsWriter() {
    this(64);
  }

  /**
   * Creates a writer.
   *
   * @param initialCapacity initial buffer size in bytes
   */
  public TlsWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  /**
   * Encodes one structure on its own.
   *
   * @param value the structure
   * @return its encoding
   */
  public static byte[] encode(TlsEncodable value) {
    TlsWriter w = new TlsWriter();
    value.encode(w);
    return w.toByteArray();
  }

  private void ensure(int extra) {
    int need = size + extra;
    if (need > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
    }
  }

  /** @return number of bytes written so far */
  public int size() {
    return size;
  }

  /** @return a copy of the bytes written */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /**
   * Writes a uint8.
   *
   * @param v value in 0..255
   * @return this
   */
  public TlsWriter u8(int v) {
    if ((v & ~0xFF) != 0) {
      throw new IllegalArgumentException("uint8 out of range: " + v);
    }
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  /**
   * Writes a uint16.
   *
   * @param v value in 0..65535
   * @return this
   */
  public TlsWriter u16(int v) {
    if ((v & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("uint16 out of range: " + v);
    }
    ensure(2);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
    return this;
  }

  /**
   * Writes a uint32.
   *
   * @param v value in 0..2^32-1
   * @return this
   */
  public TlsWriter u32(long v) {
    if ((v & ~0xFFFFFFFFL) != 0) {
      throw new IllegalArgumentException("uint32 out of range: " + v);
    }
    ensure(4);
    buf[size++] = (byte) (v >>> 24);
    buf[size++] = (byte) (v >>> 16);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
    return this;
  }

  /**
   * Writes a uint64 (the bits of {@code v}, read as unsigned).
   *
   * @param v value
   * @return this
   */
  public TlsWriter u64(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[size++] = (byte) (v >>> shift);
    }
    return this;
  }

  /**
   * Writes a boolean as one byte, 0 or 1 (RFC 9420 §2.1.1 optional presence byte uses this too).
   *
   * @param v value
   * @return this
   */
  public TlsWriter bool(boolean v) {
    return u8(v ? 1 : 0);
  }

  /**
   * Writes bytes with no length prefix.
   *
   * @param bytes the bytes
   * @return this
   */
  public TlsWriter raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, size, bytes.length);
    size += bytes.length;
    return this;
  }

  /**
   * Writes a §2.1.2 variable-length integer in its shortest form.
   *
   * @param v value in 0..2^30-1
   * @return this
   */
  public TlsWriter varint(int v) {
    if (v < 0 || v > MAX_VARINT) {
      throw new IllegalArgumentException("vector length out of range: " + v);
    }
    if (v < 0x40) {
      return u8(v);
    } else if (v < 0x4000) {
      return u16(0x4000 | v);
    } else {
      return u32(0x80000000L | v);
    }
  }

  /**
   * Writes {@code opaque data<V>}: a varint length then the bytes.
   *
   * @param bytes the bytes
   * @return this
   */
  public TlsWriter opaque(byte[] bytes) {
    varint(bytes.length);
    return raw(bytes);
  }

  /**
   * Writes a UTF-8 string as {@code opaque<V>} (used for labels).
   *
   * @param s the string
   * @return this
   */
  public TlsWriter opaque(String s) {
    return opaque(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes a vector whose body is written by {@code body}; the varint length is computed afterwards.
   *
   * @param body writes the vector's elements
   * @return this
   */
  public TlsWriter vector(java.util.function.Consumer<TlsWriter> body) {
    int start = size;
    body.accept(this);
    int len = size - start;
    int headerLen = len < 0x40 ? 1 : len < 0x4000 ? 2 : 4;
    if (len > MAX_VARINT) {
      throw new IllegalArgumentException("vector too long: " + len);
    }
    ensure(headerLen);
    System.arraycopy(buf, start, buf, start + headerLen, len);
    int end = size + headerLen;
    size = start;
    varint(len);
    size = end;
    return this;
  }

  /**
   * Writes a vector of items, each encoded by {@code encoder}.
   *
   * @param items the items
   * @param encoder writes one item
   * @param <T> item type
   * @return this
   */
  public <T> TlsWriter vector(Collection<T> items, BiConsumer<TlsWriter, T> encoder) {
    return vector(w -> {
      for (T item : items) {
        encoder.accept(w, item);
      }
    });
  }

  /**
   * Writes a vector of encodable structures.
   *
   * @param items the items
   * @return this
   */
  public TlsWriter vector(Collection<? extends TlsEncodable> items) {
    return vector(w -> {
      for (TlsEncodable item : items) {
        item.encode(w);
      }
    });
  }

  /**
   * Writes an encodable structure in place.
   *
   * @param value the structure
   * @return this
   */
  public TlsWriter write(TlsEncodable value) {
    value.encode(this);
    return this;
  }

  /**
   * Writes {@code optional<T>} (§2.1.1): a presence byte, then the value if present.
   *
   * @param value the value, or null for absent
   * @return this
   */
  public TlsWriter optional(TlsEncodable value) {
    if (value == null) {
      return u8(0);
    }
    u8(1);
    value.encode(this);
    return this;
  }

  /**
   * Writes {@code optional<opaque<V>>}.
   *
   * @param value the bytes, or null for absent
   * @return this
   */
  public TlsWriter optionalOpaque(byte[] value) {
    if (value == null) {
      return u8(0);
    }
    u8(1);
    return opaque(value);
  }
}
