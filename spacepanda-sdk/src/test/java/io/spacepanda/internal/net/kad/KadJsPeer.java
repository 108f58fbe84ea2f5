package io.spacepanda.internal.net.kad;

import io.spacepanda.internal.net.interop.JsScriptPeer;
import java.io.IOException;
import java.util.List;

/**
 * A js-libp2p node with {@code @libp2p/kad-dht} 16.4.5 (libp2p 3.3.11) in a Node.js child process
 * ({@code src/test/js-kad/kad-peer.mjs} lists its commands).
 */
final class KadJsPeer extends JsScriptPeer {

  private KadJsPeer(String protocol) throws IOException {
    super("js-kad", "kad-peer.mjs", List.of("--protocol", protocol), "kad");
  }

  /**
   * Installs if needed and starts a peer.
   *
   * @param protocol the DHT protocol id
   * @return the running peer
   * @throws IOException when installation or start fails
   */
  static KadJsPeer start(String protocol) throws IOException {
    return new KadJsPeer(protocol);
  }
}
