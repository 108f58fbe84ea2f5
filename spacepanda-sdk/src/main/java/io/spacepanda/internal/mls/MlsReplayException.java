package io.spacepanda.internal.mls;

/** Thrown for a message whose key was already used or deleted (a replay, or a message the sender itself sent). */
public final class MlsReplayException extends MlsException {

  /**
   * @param message a fixed description of the failure
   */
  public MlsReplayException(String message) {
    super(message);
  }

  /**
   * @param message a fixed description of the failure
   * @param cause the underlying failure (never shown to peers)
   */
  public MlsReplayException(String message, Throwable cause) {
    super(message, cause);
  }
}
