package io.spacepanda.spi;

import io.spacepanda.SpacePandaException;

/**
 * Signals that a {@link Storage} could not read or write its data.
 *
 * <p>Thrown for I/O and database failures, data on disk that fails authentication or does not
 * decode, a schema version this SDK does not know, and a transaction that could not commit. It is
 * not thrown for bad arguments (those are {@link IllegalArgumentException}) or for use of a closed
 * store ({@link IllegalStateException}). Messages never contain stored content or key material.
 */
public class StorageException extends SpacePandaException {

  /**
   * Creates a storage failure with a message.
   *
   * @param message what failed, without stored content or secrets
   */
  public StorageException(String message) {
    super(message);
  }

  /**
   * Creates a storage failure with a message and its cause.
   *
   * @param message what failed, without stored content or secrets
   * @param cause the underlying failure
   */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
