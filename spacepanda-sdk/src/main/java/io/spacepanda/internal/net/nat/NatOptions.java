package io.spacepanda.internal.net.nat;

import io.spacepanda.internal.net.relay.RelayConfig;
import java.util.Objects;

/**
 * What a host does about NATs.
 *
 * @param relayService serve circuit relay v2 (hop) and AutoNAT dial-backs for others: for public
 *     nodes such as bootstrap nodes
 * @param traversal probe reachability with AutoNAT at bootstrap peers, keep a relay reservation on
 *     them when private, dial peers through them when no direct address works, and upgrade relayed
 *     connections with DCUtR (listen and dial ports are shared with SO_REUSEPORT)
 * @param relayConfig the relay's limits when {@code relayService}
 */
public record NatOptions(boolean relayService, boolean traversal, RelayConfig relayConfig) {

  /** Checks the config. */
  public NatOptions {
    Objects.requireNonNull(relayConfig, "relayConfig");
  }

  /**
   * Returns options with everything off.
   *
   * @return no relay service, no traversal
   */
  public static NatOptions off() {
    return new NatOptions(false, false, RelayConfig.defaults());
  }

  /**
   * Returns whether anything is on.
   *
   * @return whether a relay service or traversal runs
   */
  public boolean any() {
    return relayService || traversal;
  }
}
