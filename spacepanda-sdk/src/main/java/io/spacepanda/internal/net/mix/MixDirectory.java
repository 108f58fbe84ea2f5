package io.spacepanda.internal.net.mix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Where a node finds the mix nodes it builds paths through: nodes that opted in as mixes, with
 * their current mix keys. The seam the lead can back with the DHT later (issue 16 says mixes are
 * "found through the DHT"); today {@link Static} holds space members and builder-configured mix
 * nodes.
 */
public interface MixDirectory {

  /**
   * One mix node.
   *
   * @param address how to reach it (a peer id's bytes), at most {@value Sphinx#MAX_ADDRESS} bytes
   * @param publicKey its current 32-byte X25519 mix key
   */
  record MixInfo(byte[] address, byte[] publicKey) {
    /** Checks the sizes. */
    public MixInfo {
      new Sphinx.Hop(address, publicKey);
    }

    /**
     * Returns the hop this mix is on a path.
     *
     * @return the hop
     */
    public Sphinx.Hop hop() {
      return new Sphinx.Hop(address, publicKey);
    }
  }

  /**
   * Returns the mix nodes known now.
   *
   * @return a snapshot; may be empty
   */
  List<MixInfo> mixes();

  /**
   * Announces this node's mix key (after a rotation). The default does nothing.
   *
   * @param self this node's address and new key
   */
  default void publish(MixInfo self) {}

  /**
   * Looks up one node's current mix key, for the last hop of a path.
   *
   * @param address the node's address
   * @return its entry, or null if unknown
   */
  default MixInfo find(byte[] address) {
    for (MixInfo m : mixes()) {
      if (Arrays.equals(m.address(), address)) {
        return m;
      }
    }
    return null;
  }

  /** A directory held in memory: configured mixes and space members, updated by the node. */
  final class Static implements MixDirectory {
    private volatile List<MixInfo> mixes = List.of();

    /** Creates an empty directory. */
    public Static() {}

    @Override
    public List<MixInfo> mixes() {
      return mixes;
    }

    /**
     * Adds or replaces the entry of {@code info.address()}.
     *
     * @param info the mix
     */
    public synchronized void put(MixInfo info) {
      Objects.requireNonNull(info, "info");
      List<MixInfo> next = new ArrayList<>(mixes.size() + 1);
      for (MixInfo m : mixes) {
        if (!Arrays.equals(m.address(), info.address())) {
          next.add(m);
        }
      }
      next.add(info);
      mixes = List.copyOf(next);
    }

    @Override
    public void publish(MixInfo self) {
      put(self);
    }
  }
}
