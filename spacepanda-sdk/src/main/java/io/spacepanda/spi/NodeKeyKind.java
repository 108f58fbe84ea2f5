package io.spacepanda.spi;

/**
 * Which of the node's own long-term keys a {@link SecretBlob} stored with {@link
 * StorageTransaction#putNodeKey} holds.
 *
 * <p>Each kind has a stable {@link #code()} that durable stores write to disk.
 */
public enum NodeKeyKind {
  /** The Ed25519 identity key the PeerId and MLS credentials derive from. */
  IDENTITY(1),
  /** The X25519 inbox key that receives direct sealed envelopes. */
  INBOX(2);

  private final int code;

  NodeKeyKind(int code) {
    this.code = code;
  }

  /**
   * Returns the stable number that durable stores write for this kind.
   *
   * @return the code
   */
  public int code() {
    return code;
  }
}
