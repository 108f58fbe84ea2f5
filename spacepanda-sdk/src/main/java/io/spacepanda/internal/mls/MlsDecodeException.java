package io.spacepanda.internal.mls;

/** Thrown for bytes that are not a valid RFC 9420 encoding (truncated, oversized, non-minimal or out-of-range values). */
public final class MlsDecodeException extends MlsException {

  /**
   * @param message a fixed description of the failure
   */
  public MlsDecodeException(String message) {
    super(message);
  }

  /**
   * @param message a fixed description of the failure
   * @param cause the underlying failure (never shown to peers)
   */
  public MlsDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
