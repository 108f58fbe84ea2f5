package io.spacepanda.spi;

/**
 * Signals that a store could not be opened because its passphrase is wrong or missing.
 *
 * <p>Also thrown when a passphrase is given for a store that was created without one, and the
 * other way round. A store that refuses to open with this exception has modified nothing on disk.
 */
public final class WrongPassphraseException extends StorageException {

  /**
   * Creates the exception with a fixed description of the refusal.
   *
   * @param message what was refused, without the passphrase
   */
  public WrongPassphraseException(String message) {
    super(message);
  }
}
