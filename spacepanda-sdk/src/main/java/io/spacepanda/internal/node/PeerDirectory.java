package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.SpaceConstants;
import io.spacepanda.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where peers are: hands the addresses learnt from invites, join requests and space metadata to
 * the transport, and describes this node (peer id, inbox key, advertised addresses) for others.
 *
 * <p>Stateless beyond the transport's own address book; thread-safe. Peer routing through a DHT
 * plugs in here.
 */
final class PeerDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(PeerDirectory.class);

  private final NodeContext ctx;

  PeerDirectory(NodeContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Tells the transport where a peer can be reached; addresses it does not take are skipped.
   *
   * @param peer the peer (this node's own addresses are ignored)
   * @param addresses multiaddrs
   */
  void learn(PeerId peer, List<String> addresses) {
    Transport t = ctx.transportOrNull();
    if (t == null || peer.equals(ctx.self)) {
      return;
    }
    for (String a : addresses) {
      try {
        t.addPeerAddress(peer, a);
      } catch (IllegalArgumentException e) {
        LOG.debug("ignoring an address the transport does not take");
      }
    }
  }

  // ---------------------------------------------------------------- persisted address book

  /** How often the transport's address book is written to storage while the node runs. */
  static final java.time.Duration SAVE_EVERY = java.time.Duration.ofMinutes(1);

  private volatile io.spacepanda.spi.Scheduler.Cancellable saveTimer;
  private volatile boolean stopped;

  /**
   * Hands the address book persisted before the last stop to a transport that has not started.
   *
   * @param t the transport
   */
  void restoreAddressBook(Transport t) {
    try {
      List<io.spacepanda.spi.KnownPeer> kept = ctx.storage.inTransaction(tx -> tx.knownPeers());
      if (!kept.isEmpty()) {
        t.restoreKnownPeers(kept);
        LOG.debug("restored {} known peers", kept.size());
      }
    } catch (io.spacepanda.spi.StorageException | RuntimeException e) {
      LOG.warn("could not read the persisted address book: {}", e.getMessage());
    }
  }

  /** Writes the address book now and every {@link #SAVE_EVERY} until {@link #stop}. */
  void startSaving() {
    if (stopped) {
      return;
    }
    try {
      saveTimer = ctx.scheduler.schedule(SAVE_EVERY, () -> {
        saveAddressBook();
        startSaving();
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // scheduler stopped: the node is closing
    }
  }

  /** Writes the transport's address book snapshot to storage; an empty snapshot keeps the old one. */
  void saveAddressBook() {
    Transport t = ctx.transportOrNull();
    if (t == null) {
      return;
    }
    List<io.spacepanda.spi.KnownPeer> now = t.knownPeers();
    if (now.isEmpty()) {
      return;
    }
    try {
      ctx.storage.inTransaction(tx -> tx.replaceKnownPeers(now));
    } catch (io.spacepanda.spi.StorageException | RuntimeException e) {
      LOG.debug("could not persist the address book: {}", e.getMessage());
    }
  }

  /** Writes the address book a last time (before the transport closes) and stops the timer. */
  void stop() {
    stopped = true;
    io.spacepanda.spi.Scheduler.Cancellable c = saveTimer;
    if (c != null) {
      c.cancel();
    }
    saveAddressBook();
  }

  /** @return this node's contact as published in space metadata */
  Contact myContact() {
    return new Contact(ctx.self, ctx.inbox.publicKey(),
        advertised(SpaceConstants.MAX_ADDRESSES, SpaceConstants.MAX_ADDRESS_BYTES));
  }

  /**
   * Returns this node's contact as carried in invite codes (fewer, shorter addresses): direct
   * addresses of at most {@value SpaceConstants#MAX_INVITE_ADDRESS_BYTES} bytes, and room kept
   * for up to two relayed ones (their trailing {@code /p2p/<this node>} dropped: the code names the
   * inviter) of at most {@value SpaceConstants#MAX_INVITE_CIRCUIT_ADDRESS_BYTES} bytes, within
   * {@value SpaceConstants#MAX_INVITE_ADDRESS_TOTAL_BYTES} bytes in all.
   *
   * @return the contact
   */
  Contact inviteContact() {
    return new Contact(ctx.self, ctx.inbox.publicKey(), inviteAddresses(listenAddresses(), ctx.self));
  }

  /** Picks the invite's addresses out of {@code all}, as {@link #inviteContact()} says. */
  static List<String> inviteAddresses(List<String> all, PeerId self) {
    String own = "/p2p/" + self.toBase58();
    List<String> direct = new ArrayList<>();
    List<String> relayed = new ArrayList<>();
    for (String a : all) {
      if (a.contains("/p2p-circuit")) {
        String shorter = a.endsWith(own) ? a.substring(0, a.length() - own.length()) : a;
        if (shorter.length() <= SpaceConstants.MAX_INVITE_CIRCUIT_ADDRESS_BYTES && !relayed.contains(shorter)) {
          relayed.add(shorter);
        }
      } else if (a.getBytes(StandardCharsets.UTF_8).length <= SpaceConstants.MAX_INVITE_ADDRESS_BYTES) {
        direct.add(a);
      }
    }
    int roomForRelayed = Math.min(2, relayed.size());
    int relayedBytes = 0;
    for (int i = 0; i < roomForRelayed; i++) {
      relayedBytes += relayed.get(i).length();
    }
    List<String> out = new ArrayList<>();
    int total = 0;
    for (String a : direct) {
      if (out.size() < SpaceConstants.MAX_INVITE_ADDRESSES - roomForRelayed
          && total + a.length() <= SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES - relayedBytes) {
        out.add(a);
        total += a.length();
      }
    }
    for (String a : relayed) {
      if (out.size() < SpaceConstants.MAX_INVITE_ADDRESSES
          && total + a.length() <= SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES) {
        out.add(a);
        total += a.length();
      }
    }
    return out;
  }

  /** @return this node as described in channel join requests */
  NodeWire.MemberInfo myInfo() {
    return new NodeWire.MemberInfo(ctx.self.bytes(), ctx.inbox.publicKey(),
        advertised(SpaceConstants.MAX_ADDRESSES, SpaceConstants.MAX_ADDRESS_BYTES));
  }

  /** @return the transport's listen addresses, unspecified hosts expanded to interfaces */
  List<String> listenAddresses() {
    Transport t = ctx.transportOrNull();
    return t == null ? List.of() : AdvertisedAddresses.expand(t.listenAddresses());
  }

  private List<String> advertised(int max, int maxBytes) {
    List<String> out = new ArrayList<>();
    for (String a : listenAddresses()) {
      if (out.size() < max && a.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
        out.add(a);
      }
    }
    return List.copyOf(out);
  }
}
