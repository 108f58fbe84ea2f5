package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.MlsDecodeException;

/** {@code SenderType} of RFC 9420 §6: who sent a framed message. */
public enum SenderType {
  /** A member, by leaf index. */
  MEMBER(1),
  /** An external sender, by index into the external_senders extension. */
  EXTERNAL(2),
  /** A non-member proposing its own Add. */
  NEW_MEMBER_PROPOSAL(3),
  /** A non-member joining by external commit. */
  NEW_MEMBER_COMMIT(4);

  private final int value;

  SenderType(int value) {
    this.value = value;
  }

  /** @return the uint8 wire value */
  public int value() {
    return value;
  }

  /**
   * Maps a wire value to the sender type.
   *
   * @param value the uint8 value
   * @return the type
   * @throws MlsDecodeException if the value is not 1..4
   */
  public static SenderType of(int value) throws MlsDecodeException {
    switch (value) {
      case 1:
        return MEMBER;
      case 2:
        return EXTERNAL;
      case 3:
        return NEW_MEMBER_PROPOSAL;
      case 4:
        return NEW_MEMBER_COMMIT;
      default:
        throw new MlsDecodeException("unknown sender type");
    }
  }
}
