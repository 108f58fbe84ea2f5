package io.spacepanda.internal.mls.schedule;

/** The two hash ratchets every leaf of a secret tree has (RFC 9420 §9.1). */
public enum RatchetType {
  /** Keys for proposals and commits sent as PrivateMessage. */
  HANDSHAKE("handshake"),
  /** Keys for application messages. */
  APPLICATION("application");

  private final String label;

  RatchetType(String label) {
    this.label = label;
  }

  /**
   * Returns the label that starts this ratchet from a leaf secret (RFC 9420 §9.1).
   *
   * @return "handshake" or "application"
   */
  String label() {
    return label;
  }
}
