package io.spacepanda.internal.store;

import java.time.Instant;

/** Argument checks of the store implementations; every failure is an IllegalArgumentException. */
final class StoreArgs {

  private StoreArgs() {}

  static <T> T need(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }

  static int needCount(int value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
    return value;
  }

  /** Returns a time argument in epoch milliseconds, the precision every store keeps. */
  static long millis(Instant value, String name) {
    need(value, name);
    try {
      return value.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(name + " is out of range: " + value);
    }
  }
}
