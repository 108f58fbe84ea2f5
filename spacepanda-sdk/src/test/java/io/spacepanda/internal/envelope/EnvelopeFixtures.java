package io.spacepanda.internal.envelope;

import java.security.SecureRandom;
import java.util.Arrays;

/** Helpers shared by the envelope tests. */
final class EnvelopeFixtures {

  static final SecureRandom RANDOM = new SecureRandom();

  private EnvelopeFixtures() {}

  static GroupEnvelopeKeys newKeys() {
    byte[] exporter = new byte[32];
    RANDOM.nextBytes(exporter);
    return GroupEnvelopeKeys.derive(exporter);
  }

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** Index of the first occurrence of {@code needle} in {@code haystack}, or -1. */
  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static byte[] concat(byte[]... parts) {
    int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
    byte[] out = new byte[n];
    int off = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, off, p.length);
      off += p.length;
    }
    return out;
  }
}
