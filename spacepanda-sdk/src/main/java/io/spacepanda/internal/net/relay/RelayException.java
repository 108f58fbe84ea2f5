package io.spacepanda.internal.net.relay;

/**
 * A circuit relay failure: a malformed or oversized message, or a refusal by the relay or the
 * target, with the spec's status code.
 */
public final class RelayException extends Exception {

  private static final long serialVersionUID = 1L;

  /** The v2 status code this failure maps to (libp2p/specs relay/circuit-v2.md, {@code Status}). */
  private final int status;

  /**
   * Creates an exception.
   *
   * @param status a {@link Status} code
   * @param message what went wrong
   */
  public RelayException(int status, String message) {
    super(message + " (status " + status + ")");
    this.status = status;
  }

  /**
   * Creates an exception with a cause.
   *
   * @param status a {@link Status} code
   * @param message what went wrong
   * @param cause the cause
   */
  public RelayException(int status, String message, Throwable cause) {
    super(message + " (status " + status + ")", cause);
    this.status = status;
  }

  /**
   * Returns the status code.
   *
   * @return for example {@link Status#NO_RESERVATION}
   */
  public int status() {
    return status;
  }

  /** Status codes of circuit relay v2. */
  public static final class Status {
    /** Success. */
    public static final int OK = 100;
    /** The relay refused a reservation (for example too many). */
    public static final int RESERVATION_REFUSED = 200;
    /** Too many relayed connections. */
    public static final int RESOURCE_LIMIT_EXCEEDED = 201;
    /** Refused by policy. */
    public static final int PERMISSION_DENIED = 202;
    /** The relay could not reach the target, or the target refused. */
    public static final int CONNECTION_FAILED = 203;
    /** The target holds no reservation. */
    public static final int NO_RESERVATION = 204;
    /** A message could not be decoded. */
    public static final int MALFORMED_MESSAGE = 400;
    /** A message of the wrong type arrived. */
    public static final int UNEXPECTED_MESSAGE = 401;

    private Status() {}
  }
}
