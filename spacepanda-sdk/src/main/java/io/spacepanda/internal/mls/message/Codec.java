package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Shared pieces of the wire structures of this package: bounded reads of fields the RFC leaves
 * unbounded, leaf-index range checks, and byte-array equality and printing for value classes.
 */
final class Codec {

  private static final int HEX_PREVIEW = 8;

  private Codec() {}

  /** Reads a uint32 leaf or sender index and requires it below 2^31. */
  static int index(TlsReader r) throws MlsDecodeException {
    long v = r.u32();
    if (v > MlsConstants.MAX_LEAF_INDEX) {
      throw new MlsDecodeException("index out of range");
    }
    return (int) v;
  }

  /** Reads {@code opaque<V>} that must not be empty (RFC {@code <1..V>}). */
  static byte[] nonEmpty(TlsReader r, int max) throws MlsDecodeException {
    byte[] b = r.opaque(max);
    if (b.length == 0) {
      throw new MlsDecodeException("empty value");
    }
    return b;
  }

  /** Requires a non-negative index for encoding. */
  static int checkIndex(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("index out of range: " + index);
    }
    return index;
  }

  /** Null-checks a byte array argument. */
  static byte[] bytes(byte[] b, String name) {
    return Objects.requireNonNull(b, name);
  }

  /** Copies a list into an unmodifiable, null-free list. */
  static <T> List<T> list(List<T> items, String name) {
    return List.copyOf(Objects.requireNonNull(items, name));
  }

  /** Compares two lists of byte arrays by content. */
  static boolean equalBytesLists(List<byte[]> a, List<byte[]> b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Hashes a list of byte arrays by content. */
  static int hashBytesList(List<byte[]> a) {
    if (a == null) {
      return 0;
    }
    int h = 1;
    for (byte[] b : a) {
      h = 31 * h + Arrays.hashCode(b);
    }
    return h;
  }

  /** Copies a list of byte arrays into an unmodifiable list. */
  static List<byte[]> bytesList(List<byte[]> items, String name) {
    List<byte[]> out = new ArrayList<>(Objects.requireNonNull(items, name).size());
    for (byte[] b : items) {
      out.add(Objects.requireNonNull(b, name));
    }
    return List.copyOf(out);
  }

  /** Prints public bytes as a short hex preview with their length. */
  static String show(byte[] b) {
    if (b == null) {
      return "null";
    }
    if (b.length <= HEX_PREVIEW) {
      return HexFormat.of().formatHex(b);
    }
    return HexFormat.of().formatHex(b, 0, HEX_PREVIEW) + "..(" + b.length + " bytes)";
  }

  /** Prints secret bytes as their length only. */
  static String secret(byte[] b) {
    return b == null ? "null" : "<secret " + b.length + " bytes>";
  }
}
