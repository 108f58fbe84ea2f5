package io.spacepanda.internal.net.nat;

import io.spacepanda.internal.net.interop.JsScriptPeer;
import java.io.IOException;
import java.util.List;

/**
 * A js-libp2p node with {@code @libp2p/circuit-relay-v2} 4.2.13 and {@code @libp2p/dcutr} 3.0.28
 * (libp2p 3.3.11) in a Node.js child process ({@code src/test/js-relay/relay-peer.mjs} lists its
 * commands).
 */
final class RelayJsPeer extends JsScriptPeer {

  private RelayJsPeer(List<String> args) throws IOException {
    super("js-relay", "relay-peer.mjs", args, "relay");
  }

  /**
   * Installs if needed and starts a peer.
   *
   * @param args command-line options of {@code relay-peer.mjs}, such as {@code --relay}
   * @return the running peer
   * @throws IOException when installation or start fails
   */
  static RelayJsPeer start(String... args) throws IOException {
    return new RelayJsPeer(List.of(args));
  }
}
