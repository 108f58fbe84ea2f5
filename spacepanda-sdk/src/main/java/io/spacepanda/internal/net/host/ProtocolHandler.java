package io.spacepanda.internal.net.host;

import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamHandler;

/**
 * Serves one protocol on streams whose multistream-select negotiation agreed on it, in either
 * direction.
 *
 * <p>{@link #onStream} runs on the connection's event loop right after negotiation and must not
 * block. The returned handler is installed on the stream at once and first receives any bytes that
 * arrived together with the negotiation; it then owns the stream (closing or resetting it) and
 * reports consumed bytes as the seam requires. A handler that throws gets the stream reset.
 */
@FunctionalInterface
public interface ProtocolHandler {

  /**
   * Takes over a negotiated stream.
   *
   * @param connection the connection the stream belongs to
   * @param stream the stream, negotiated to {@code protocol}
   * @param protocol the agreed protocol id
   * @return the handler for the stream's data, half-close and reset
   */
  StreamHandler onStream(Connection connection, MuxedStream stream, String protocol);
}
