package io.spacepanda.internal.net.host;

/**
 * Hears connections come and go; identify hooks in here to run on every new connection.
 *
 * <p>Methods run on the connection's event loop and must not block; a listener that throws is
 * logged and skipped.
 */
public interface ConnectionListener {

  /**
   * Reports a connection that completed its upgrade and is now the host's connection to the peer.
   *
   * @param connection the new connection
   */
  default void onConnected(Connection connection) {}

  /**
   * Reports a connection that closed.
   *
   * @param connection the closed connection
   */
  default void onDisconnected(Connection connection) {}
}
