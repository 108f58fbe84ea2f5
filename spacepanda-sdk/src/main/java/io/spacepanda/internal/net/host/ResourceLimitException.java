package io.spacepanda.internal.net.host;

/**
 * A {@link ResourceManager} refused a connection or stream because a limit of one of its scopes is
 * reached. Thrown often under attack, so it carries no stack trace.
 */
public final class ResourceLimitException extends Exception {

  private static final long serialVersionUID = 1L;

  /** The scope whose limit refused. */
  public enum Scope {
    /** The node-wide limits. */
    SYSTEM,
    /** One protocol's limits. */
    PROTOCOL,
    /** One peer's limits. */
    PEER,
    /** One connection's limits. */
    CONNECTION,
    /** One stream's limits. */
    STREAM
  }

  private final Scope scope;

  /**
   * Creates the exception.
   *
   * @param scope the scope whose limit refused
   * @param message what was refused
   */
  public ResourceLimitException(Scope scope, String message) {
    super(message, null, false, false);
    this.scope = scope;
  }

  /**
   * Returns the scope whose limit refused.
   *
   * @return the scope
   */
  public Scope scope() {
    return scope;
  }
}
