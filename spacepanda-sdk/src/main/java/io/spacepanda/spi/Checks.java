package io.spacepanda.spi;

import java.time.Instant;

/** Argument checks shared by the storage records; every failure is an IllegalArgumentException. */
final class Checks {

  /** The largest binary payload any record accepts (message bodies, envelopes, operations). */
  static final int MAX_PAYLOAD = 1 << 20;

  /** The largest string a record accepts, in chars. */
  static final int MAX_NAME = 1024;

  private Checks() {}

  static <T> T notNull(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }

  static long nonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
    return value;
  }

  static byte[] copy(byte[] value, String name, int maxLength) {
    notNull(value, name);
    if (value.length > maxLength) {
      throw new IllegalArgumentException(
          name + " must be at most " + maxLength + " bytes, was " + value.length);
    }
    return value.clone();
  }

  static String name(String value, String name) {
    notNull(value, name);
    if (value.length() > MAX_NAME) {
      throw new IllegalArgumentException(name + " must be at most " + MAX_NAME + " chars");
    }
    return value;
  }

  /** Truncates to the millisecond precision every store keeps, rejecting unrepresentable times. */
  static Instant millis(Instant value, String name) {
    notNull(value, name);
    try {
      return Instant.ofEpochMilli(value.toEpochMilli());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(name + " is out of range: " + value);
    }
  }
}
