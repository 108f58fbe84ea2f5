package io.spacepanda.internal.mls.message;

/** {@code WireFormat} code points of RFC 9420 §6 and §17.2. */
public final class WireFormat {

  /** {@code mls_public_message}. */
  public static final int PUBLIC_MESSAGE = 1;

  /** {@code mls_private_message}. */
  public static final int PRIVATE_MESSAGE = 2;

  /** {@code mls_welcome}. */
  public static final int WELCOME = 3;

  /** {@code mls_group_info}. */
  public static final int GROUP_INFO = 4;

  /** {@code mls_key_package}. */
  public static final int KEY_PACKAGE = 5;

  private WireFormat() {}

  /**
   * Tells whether a wire format carries framed content (public or private message).
   *
   * @param wireFormat the code point
   * @return true for {@link #PUBLIC_MESSAGE} and {@link #PRIVATE_MESSAGE}
   */
  public static boolean isFramed(int wireFormat) {
    return wireFormat == PUBLIC_MESSAGE || wireFormat == PRIVATE_MESSAGE;
  }
}
