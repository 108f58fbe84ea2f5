package io.spacepanda.internal.mls;

/** Thrown for a ciphertext that could not be decrypted; the message is always the same, whatever the reason. */
public final class MlsDecryptionException extends MlsException {

  /**
   * @param message a fixed description of the failure
   */
  public MlsDecryptionException(String message) {
    super(message);
  }

  /**
   * @param message a fixed description of the failure
   * @param cause the underlying failure (never shown to peers)
   */
  public MlsDecryptionException(String message, Throwable cause) {
    super(message, cause);
  }
}
