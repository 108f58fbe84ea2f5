package io.spacepanda.internal.net.multiaddr;

import java.util.Arrays;

/**
 * Encodes and decodes base58btc (the Bitcoin alphabet), as multiaddr text and legacy peer ids use.
 *
 * <p>Decoding is bounded by a caller-given maximum output length and rejects characters outside
 * the alphabet. Stateless and thread-safe.
 */
public final class Base58Btc {

  private static final char[] ALPHABET =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();
  private static final int[] INDEX = new int[128];

  static {
    Arrays.fill(INDEX, -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      INDEX[ALPHABET[i]] = i;
    }
  }

  private Base58Btc() {}

  /**
   * Returns the base58btc text of {@code bytes}.
   *
   * @param bytes the input, not modified
   * @return the text; leading zero bytes become leading '1' characters
   */
  public static String encode(byte[] bytes) {
    int zeros = 0;
    while (zeros < bytes.length && bytes[zeros] == 0) {
      zeros++;
    }
    byte[] digits = new byte[bytes.length * 138 / 100 + 1];
    int len = 0;
    for (int i = zeros; i < bytes.length; i++) {
      int carry = bytes[i] & 0xFF;
      for (int j = 0; j < len; j++) {
        carry += (digits[j] & 0xFF) << 8;
        digits[j] = (byte) (carry % 58);
        carry /= 58;
      }
      while (carry > 0) {
        digits[len++] = (byte) (carry % 58);
        carry /= 58;
      }
    }
    StringBuilder sb = new StringBuilder(zeros + len);
    for (int i = 0; i < zeros; i++) {
      sb.append('1');
    }
    for (int i = len - 1; i >= 0; i--) {
      sb.append(ALPHABET[digits[i]]);
    }
    return sb.toString();
  }

  /**
   * Decodes base58btc text.
   *
   * @param text the text
   * @param maxBytes the largest decoded length accepted
   * @return the decoded bytes
   * @throws MultiaddrException if a character is outside the alphabet or the result is too long
   */
  public static byte[] decode(String text, int maxBytes) throws MultiaddrException {
    if (text.isEmpty()) {
      throw new MultiaddrException("empty base58 text");
    }
    // Each base58 digit carries log2(58) < 6 bits: bound work before doing it.
    if (text.length() > maxBytes * 2 + 2) {
      throw new MultiaddrException("base58 text too long");
    }
    int zeros = 0;
    while (zeros < text.length() && text.charAt(zeros) == '1') {
      zeros++;
    }
    byte[] bytes = new byte[text.length()];
    int len = 0;
    for (int i = zeros; i < text.length(); i++) {
      char c = text.charAt(i);
      int digit = c < 128 ? INDEX[c] : -1;
      if (digit < 0) {
        throw new MultiaddrException("invalid base58 character");
      }
      int carry = digit;
      for (int j = 0; j < len; j++) {
        carry += (bytes[j] & 0xFF) * 58;
        bytes[j] = (byte) carry;
        carry >>>= 8;
      }
      while (carry > 0) {
        bytes[len++] = (byte) carry;
        carry >>>= 8;
      }
    }
    if (zeros + len > maxBytes) {
      throw new MultiaddrException("base58 value too long");
    }
    byte[] out = new byte[zeros + len];
    for (int i = 0; i < len; i++) {
      out[zeros + i] = bytes[len - 1 - i];
    }
    return out;
  }
}
