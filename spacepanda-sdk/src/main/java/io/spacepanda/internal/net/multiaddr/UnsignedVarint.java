package io.spacepanda.internal.net.multiaddr;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;

/**
 * Encodes and decodes the multiformats unsigned varint (LEB128, at most 9 bytes, minimal form).
 *
 * <p>Decoders reject non-minimal encodings and values above a caller-given bound, as the
 * multiformats unsigned-varint spec asks. Stateless and thread-safe.
 */
public final class UnsignedVarint {

  /** Longest encoding the multiformats spec allows (63 bits of value). */
  public static final int MAX_BYTES = 9;

  /** Returned by {@link #peek(ByteBuf, long)} when the buffer does not yet hold a whole varint. */
  public static final long INCOMPLETE = -1;

  private UnsignedVarint() {}

  /**
   * Returns the number of bytes the encoding of {@code value} takes.
   *
   * @param value a non-negative value
   * @return the encoded length, 1 to 9
   */
  public static int size(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("negative varint value");
    }
    int n = 1;
    while ((value >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  /**
   * Appends the encoding of {@code value} to {@code out}.
   *
   * @param value a non-negative value
   * @param out the destination
   */
  public static void write(long value, ByteArrayOutputStream out) {
    if (value < 0) {
      throw new IllegalArgumentException("negative varint value");
    }
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  /**
   * Appends the encoding of {@code value} to {@code out}.
   *
   * @param value a non-negative value
   * @param out the destination buffer
   */
  public static void write(long value, ByteBuf out) {
    if (value < 0) {
      throw new IllegalArgumentException("negative varint value");
    }
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  /**
   * Returns the encoding of {@code value}.
   *
   * @param value a non-negative value
   * @return a new array holding the varint
   */
  public static byte[] encode(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(MAX_BYTES);
    write(value, out);
    return out.toByteArray();
  }

  /**
   * Decodes a varint at {@code pos[0]} of {@code in}, advancing {@code pos[0]} past it.
   *
   * @param in the input
   * @param pos a one-element cursor, updated on success
   * @param limit end of the readable region
   * @param max the largest value accepted
   * @return the value
   * @throws MultiaddrException if the varint is truncated, non-minimal, too long or above {@code max}
   */
  public static long read(byte[] in, int[] pos, int limit, long max) throws MultiaddrException {
    long value = 0;
    int p = pos[0];
    for (int i = 0; i < MAX_BYTES; i++) {
      if (p >= limit) {
        throw new MultiaddrException("truncated varint");
      }
      int b = in[p++] & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new MultiaddrException("non-minimal varint");
        }
        if (value > max || value < 0) {
          throw new MultiaddrException("varint value too large");
        }
        pos[0] = p;
        return value;
      }
    }
    throw new MultiaddrException("varint longer than 9 bytes");
  }

  /**
   * Decodes a varint at the reader index of {@code in} without consuming it.
   *
   * @param in the buffer
   * @param max the largest value accepted
   * @return the value, or {@link #INCOMPLETE} when more bytes are needed
   * @throws MultiaddrException if the varint is non-minimal, too long or above {@code max}
   */
  public static long peek(ByteBuf in, long max) throws MultiaddrException {
    long value = 0;
    int start = in.readerIndex();
    int avail = in.readableBytes();
    for (int i = 0; i < MAX_BYTES; i++) {
      if (i >= avail) {
        return INCOMPLETE;
      }
      int b = in.getByte(start + i) & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new MultiaddrException("non-minimal varint");
        }
        if (value > max || value < 0) {
          throw new MultiaddrException("varint value too large");
        }
        return value;
      }
      if (value > max) {
        throw new MultiaddrException("varint value too large");
      }
    }
    throw new MultiaddrException("varint longer than 9 bytes");
  }
}
