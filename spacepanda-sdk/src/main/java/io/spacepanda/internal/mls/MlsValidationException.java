package io.spacepanda.internal.mls;

/** Thrown for a structure that decodes but breaks an RFC 9420 rule (signature, lifetime, capability, credential, tree or parent hash, confirmation or membership tag). */
public final class MlsValidationException extends MlsException {

  /**
   * @param message a fixed description of the failure
   */
  public MlsValidationException(String message) {
    super(message);
  }

  /**
   * @param message a fixed description of the failure
   * @param cause the underlying failure (never shown to peers)
   */
  public MlsValidationException(String message, Throwable cause) {
    super(message, cause);
  }
}
