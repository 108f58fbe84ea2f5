package io.spacepanda.internal.net.nat;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.autonat.AutonatClient;
import io.spacepanda.internal.net.autonat.AutonatMessage;
import io.spacepanda.internal.net.autonat.AutonatService;
import io.spacepanda.internal.net.dcutr.Dcutr;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.ConnectionListener;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.identify.IdentifyMessage;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.relay.RelayClient;
import io.spacepanda.internal.net.relay.RelayConstants;
import io.spacepanda.internal.net.relay.RelayService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NAT traversal of one host, as {@link NatOptions} say.
 *
 * <p>With {@code relayService}: a {@link RelayService} and an {@link AutonatService}. With {@code
 * traversal}: a {@link RelayClient}, a {@link Dcutr} that upgrades inbound relayed connections,
 * and, on each connection to a bootstrap peer, identify (to learn the address the peer observed) and
 * an AutoNAT probe; when the probes say {@link AutonatClient.Reachability#PRIVATE} (or the peer
 * refuses to probe) and the peer serves the hop protocol, a reservation on it is kept. {@link
 * #circuitAddresses} gives the relayed addresses through which a peer may be dialed when no direct
 * one works.
 *
 * <p>Member relays: with {@link #setMemberPredicate}, a direct connection to a member of one of
 * this node's spaces that serves the hop protocol makes that member a relay candidate; when this
 * node needs a relay it keeps its reservation on a member relay in preference to the bootstrap
 * relays (whose reservations it stops renewing once the member one is held, and takes up again
 * when the member one ends), and {@link #circuitAddresses} lists member relays first. A member
 * relay sees the same as any relay (who talks to whom, when, how much) but is someone the space
 * already trusts with its membership list, and may grant members larger limits ({@link
 * io.spacepanda.internal.net.relay.RelayConfig#withMemberLimits}). Thread-safe.
 */
public final class NatTraversal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NatTraversal.class);
  private static final int MAX_OBSERVED = 8;

  private final Host host;
  private final List<Multiaddr> bootstrap;
  private final RelayService relayService;
  private final AutonatService autonatService;
  private final RelayClient relayClient;
  private final Dcutr dcutr;
  private final AutonatClient autonat;
  private final Set<Multiaddr> observed = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
  private final Map<PeerId, Multiaddr> relays = new ConcurrentHashMap<>();
  private final Map<PeerId, Multiaddr> memberRelays = new ConcurrentHashMap<>();
  /** Bootstrap relays this node keeps (or would keep) a reservation on, as it needs a relay. */
  private final Set<Multiaddr> bootstrapReservations = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile java.util.function.Predicate<PeerId> members = p -> false;
  private volatile boolean needsRelay;
  private volatile boolean closedFlag;

  /**
   * Starts the services the options ask for on {@code host}.
   *
   * @param host the host (with port reuse when traversing)
   * @param identity the host's identity (signs vouchers)
   * @param options what to run
   * @param bootstrap the bootstrap peers' addresses, each ending in {@code /p2p/<id>}
   */
  public NatTraversal(Host host, IdentitySigner identity, NatOptions options, List<Multiaddr> bootstrap) {
    this.host = Objects.requireNonNull(host, "host");
    this.bootstrap = List.copyOf(bootstrap);
    Clock clock = Clock.systemUTC();
    this.relayService = options.relayService() ? new RelayService(host, identity, options.relayConfig(), clock) : null;
    this.autonatService = options.relayService() ? new AutonatService(host, Duration.ofSeconds(10), 4) : null;
    if (options.traversal()) {
      relayClient = new RelayClient(host, clock, Duration.ofSeconds(10));
      dcutr = new Dcutr(host, this::ownAddresses, Duration.ofSeconds(5), true);
      autonat = new AutonatClient(host, Duration.ofSeconds(30));
      relayClient.setReservationListener(this::onReservation);
      host.addConnectionListener(new ConnectionListener() {
        @Override
        public void onConnected(Connection c) {
          Multiaddr b = bootstrapAddress(c.remotePeerId());
          if (b != null && !c.isRelayed()) {
            examine(c, b);
          } else if (!c.isRelayed() && members.test(c.remotePeerId())) {
            examineMember(c);
          }
        }

        @Override
        public void onDisconnected(Connection c) {}
      });
    } else {
      relayClient = null;
      dcutr = null;
      autonat = null;
    }
  }

  private Multiaddr bootstrapAddress(PeerId peer) {
    for (Multiaddr m : bootstrap) {
      byte[] id = m.peerIdOrNull();
      if (id != null && PeerId.fromBytes(id).equals(peer)) {
        return m;
      }
    }
    return null;
  }

  /** Identify, then probe, then reserve when private. */
  private void examine(Connection c, Multiaddr addr) {
    host.identify(c).thenCompose(id -> {
      id.observedAddr().ifPresent(this::observe);
      boolean hop = id.protocols().contains(RelayConstants.HOP_PROTOCOL_ID);
      if (hop) {
        relays.put(c.remotePeerId(), addr);
      }
      if (!id.protocols().contains(AutonatMessage.PROTOCOL_ID)) {
        return java.util.concurrent.CompletableFuture.completedFuture(hop ? -1 : 0);
      }
      return autonat.probe(c, ownAddresses()).thenApply(status -> hop && status != AutonatMessage.OK ? -1 : 0);
    }).whenComplete((reserve, e) -> {
      if (e != null) {
        LOG.debug("NAT examination at {} failed", c.remotePeerId(), e);
        return;
      }
      if (reserve == -1 && autonat.reachability() != AutonatClient.Reachability.PUBLIC) {
        bootstrapReservations.add(addr);
        needRelay();
      }
    });
  }

  /** A member connected directly: when it relays, it is a relay candidate. */
  private void examineMember(Connection c) {
    PeerId peer = c.remotePeerId();
    host.identify(c).whenComplete((id, e) -> {
      if (e != null || !id.protocols().contains(RelayConstants.HOP_PROTOCOL_ID)) {
        return;
      }
      Multiaddr addr = c.isInitiator() ? c.remoteAddress() : null;
      for (byte[] b : id.listenAddrs()) {
        if (addr != null) {
          break;
        }
        try {
          Multiaddr m = Multiaddr.fromBytes(b);
          if (m.tcpHostOrNull() != null && !m.isCircuit()) {
            addr = m;
          }
        } catch (MultiaddrException bad) {
          LOG.debug("ignoring a malformed listen address of {}", peer);
        }
      }
      if (addr == null) {
        return;
      }
      try {
        memberRelays.put(peer, addr.withoutPeerId().withPeerId(peer.bytes()));
      } catch (MultiaddrException bad) {
        return;
      }
      LOG.debug("member {} relays", peer);
      if (needsRelay) {
        needRelay();
      }
    });
  }

  /**
   * Keeps a reservation on a member relay when one is known, else on the bootstrap relays that
   * offered one. Called when AutoNAT says this node is not reachable and when a member relay shows up.
   */
  void needRelay() {
    needsRelay = true;
    Multiaddr member = preferredMemberRelay();
    if (member != null) {
      LOG.info("not reachable from outside; keeping a relay reservation on member {}", member);
      relayClient.keepReservation(member);
    } else {
      for (Multiaddr b : bootstrapReservations) {
        LOG.info("not reachable from outside; keeping a relay reservation on {}", b);
        relayClient.keepReservation(b);
      }
    }
  }

  private Multiaddr preferredMemberRelay() {
    return memberRelays.entrySet().stream()
        .filter(e -> members.test(e.getKey()))
        .min(java.util.Comparator.comparing(e -> e.getKey().toBase58()))
        .map(Map.Entry::getValue).orElse(null);
  }

  /** A member relay's reservation replaces the bootstrap ones; when it ends, they come back. */
  private void onReservation(RelayClient.Held h, boolean up) {
    if (!memberRelays.containsKey(h.relay())) {
      return;
    }
    if (up) {
      for (Multiaddr b : bootstrapReservations) {
        relayClient.stopKeeping(b);
      }
    } else if (needsRelay && !closedFlag) {
      for (Multiaddr b : bootstrapReservations) {
        relayClient.keepReservation(b);
      }
    }
  }

  /**
   * Sets who is a member of one of this node's spaces: member relays are preferred, and this
   * node's relay service (when it relays) grants members the member limits.
   *
   * @param members the test; by default nobody is a member
   */
  public void setMemberPredicate(java.util.function.Predicate<PeerId> members) {
    this.members = Objects.requireNonNull(members, "members");
    if (relayService != null) {
      relayService.setMemberPredicate(members);
    }
  }

  /**
   * Returns the member relays found so far.
   *
   * @return peer to relay address (ending in its /p2p id)
   */
  public Map<PeerId, Multiaddr> memberRelays() {
    return Map.copyOf(memberRelays);
  }

  private void observe(byte[] bytes) {
    try {
      Multiaddr m = Multiaddr.fromBytes(bytes);
      if (m.tcpHostOrNull() != null && !m.isCircuit() && observed.size() < MAX_OBSERVED) {
        observed.add(m.withoutPeerId());
      }
    } catch (MultiaddrException e) {
      LOG.debug("ignoring a malformed observed address");
    }
  }

  /**
   * Returns this host's addresses for AutoNAT and DCUtR: observed ones first, then listen ones.
   *
   * @return the addresses
   */
  public List<Multiaddr> ownAddresses() {
    List<Multiaddr> out;
    synchronized (observed) {
      out = new ArrayList<>(observed);
    }
    for (Multiaddr m : host.listenAddresses()) {
      if (!out.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * Returns relayed addresses of {@code peer} through the bootstrap peers that serve relaying.
   *
   * @param peer the peer to reach
   * @return {@code <relay>/p2p-circuit/p2p/<peer>} for each known relay, member relays first;
   *     empty without traversal
   */
  public List<Multiaddr> circuitAddresses(PeerId peer) {
    List<Multiaddr> out = new ArrayList<>();
    if (relayClient == null) {
      return out;
    }
    List<Map.Entry<PeerId, Multiaddr>> all = new ArrayList<>();
    for (Map.Entry<PeerId, Multiaddr> r : memberRelays.entrySet()) {
      if (members.test(r.getKey())) {
        all.add(r);
      }
    }
    all.addAll(relays.entrySet());
    for (Map.Entry<PeerId, Multiaddr> r : all) {
      if (r.getKey().equals(peer)) {
        continue;
      }
      try {
        Multiaddr m = Multiaddr.parse(r.getValue() + "/p2p-circuit").withPeerId(peer.bytes());
        if (!out.contains(m)) {
          out.add(m);
        }
      } catch (MultiaddrException e) {
        LOG.debug("circuit address too long");
      }
    }
    return out;
  }

  /**
   * Returns the AutoNAT verdict.
   *
   * @return the reachability, {@code UNKNOWN} without traversal
   */
  public AutonatClient.Reachability reachability() {
    return autonat == null ? AutonatClient.Reachability.UNKNOWN : autonat.reachability();
  }

  /**
   * Returns the relay service, or null.
   *
   * @return the service when relaying
   */
  public RelayService relayService() {
    return relayService;
  }

  /**
   * Returns the relay client, or null.
   *
   * @return the client when traversing
   */
  public RelayClient relayClient() {
    return relayClient;
  }

  /**
   * Returns the DCUtR service, or null.
   *
   * @return the service when traversing
   */
  public Dcutr dcutr() {
    return dcutr;
  }

  /** Stops every service (the host is closed by its owner). */
  @Override
  public void close() {
    closedFlag = true;
    for (AutoCloseable c : new AutoCloseable[] {dcutr, relayClient, autonatService, relayService}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.debug("closing a NAT service failed", e);
        }
      }
    }
  }
}
