package io.spacepanda.internal.envelope;

import io.spacepanda.SpacePandaException;

/**
 * Thrown when an envelope cannot be opened: malformed, truncated, of an unknown version or kind,
 * sealed to another key, or tampered with.
 *
 * <p>The message is always {@value #MESSAGE}, whatever went wrong, so that a peer learns nothing
 * from it (no decryption oracle). An envelope from the network that fails is dropped and counted.
 */
public final class EnvelopeException extends SpacePandaException {

  /** The one message every instance carries. */
  public static final String MESSAGE = "envelope rejected";

  /** Creates the exception with the fixed message. */
  public EnvelopeException() {
    super(MESSAGE);
  }
}
