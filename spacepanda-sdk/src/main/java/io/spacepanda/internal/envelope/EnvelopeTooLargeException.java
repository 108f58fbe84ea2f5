package io.spacepanda.internal.envelope;

import io.spacepanda.SpacePandaException;

/**
 * Thrown when a body is too large for the largest padding bucket, so it cannot be sealed without
 * revealing its exact size.
 */
public final class EnvelopeTooLargeException extends SpacePandaException {

  private final int bodyLength;
  private final int maxBodyLength;

  /**
   * Creates the exception.
   *
   * @param bodyLength length of the rejected body
   * @param maxBodyLength largest body the padding configuration can seal
   */
  public EnvelopeTooLargeException(int bodyLength, int maxBodyLength) {
    super("body of " + bodyLength + " bytes exceeds the largest sealable body of " + maxBodyLength + " bytes");
    this.bodyLength = bodyLength;
    this.maxBodyLength = maxBodyLength;
  }

  /**
   * Returns the length of the rejected body.
   *
   * @return bytes
   */
  public int bodyLength() {
    return bodyLength;
  }

  /**
   * Returns the largest body the padding configuration can seal.
   *
   * @return bytes
   */
  public int maxBodyLength() {
    return maxBodyLength;
  }
}
