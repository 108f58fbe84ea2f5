package io.spacepanda.internal.mls;

import io.spacepanda.SpacePandaException;

/**
 * Base type of every failure of the MLS engine. Each subtype names one class of failure (decode,
 * validation, wrong epoch, decryption, replay) so that callers can react without parsing messages;
 * messages are fixed texts that leak nothing a peer could use as an oracle.
 */
public abstract class MlsException extends SpacePandaException {

  /**
   * @param message a fixed description of the failure
   */
  protected MlsException(String message) {
    super(message);
  }

  /**
   * @param message a fixed description of the failure
   * @param cause the underlying failure (never shown to peers)
   */
  protected MlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
