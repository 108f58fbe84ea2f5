package io.spacepanda.internal.mls;

/** Thrown for a message for an epoch other than the current one and outside the retention window. */
public final class MlsWrongEpochException extends MlsException {

  /**
   * @param message a fixed description of the failure
   */
  public MlsWrongEpochException(String message) {
    super(message);
  }

  /**
   * @param message a fixed description of the failure
   * @param cause the underlying failure (never shown to peers)
   */
  public MlsWrongEpochException(String message, Throwable cause) {
    super(message, cause);
  }
}
