package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.MailboxEnvelope;
import io.spacepanda.spi.NodeRecord;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Store-and-forward mailboxes on peers ({@code /spacepanda/mailbox/1.0.0}): a copy that cannot
 * reach its recipient is handed to a few online members of the same space, which keep it and push
 * it when the recipient connects to them.
 *
 * <p>Depositing. When a copy of a group envelope (a channel message, a commit or proposal, a
 * space operation) fails its first attempt ({@link Outbox#onFirstFailure}), the node finds the
 * space from the envelope's tag (a direct envelope: from what the messenger noted when it sealed a
 * channel Welcome, join request or invite, {@link DirectMessenger#takeDepositable}) and sends a
 * {@link NodeWire.MailboxDeposit} holding the sealed
 * envelope, in a direct envelope, to up to {@link NodeConfig#mailboxHolders()} members of that
 * space it is connected to (not the recipient), chosen at random. It keeps its own copy and
 * retries it as before: a mailbox only adds paths, so a holder that dies loses nothing. Other
 * direct envelopes (sync, mailbox traffic, space join answers) are not deposited: sync asks again
 * next round, and a space join retries on its own.
 *
 * <p>Holding. A holder keeps a deposit only if depositor and recipient are members of the space's
 * control group by its own view, in the step that checks it; at most {@link
 * NodeConfig#mailboxCapacity()} per recipient (beyond, it answers {@link NodeWire.MailboxRefused}
 * with {@link NodeWire#REFUSED_FULL}, which the depositor reports through {@code
 * NodeEventListener.mailboxRefused}, and then hands the copy to one member it has not asked yet:
 * never a silent drop) and for {@link NodeConfig#mailboxMaxAge()}. A node that opted out ({@code
 * mailboxHolders(0)}) answers {@link NodeWire#REFUSED_DISABLED}, handled the same way. A holder sees
 * only the sealed envelope and its recipient, both of which it could see on the wire anyway as a
 * member of the space: nothing it did not know.
 *
 * <p>Pushing. When a recipient connects, the holder moves the envelopes kept for it, in the order
 * they were deposited, into its outbox, one step (on the node lane) per batch of {@link
 * #PUSH_BATCH}, deleted from the mailbox in the same transaction; the outbox sends
 * them paced and in order without jitter ({@link Outbox#dispatchInOrder}); from there they are
 * retried like any copy. The recipient drops the duplicates it receives from several holders and
 * the sender by message id.
 *
 * <p>Threading: deposits and holding run as steps of the space's actor, pushes as steps of the
 * node lane; the hooks only submit them.
 */
final class Mailbox {

  private static final Logger LOG = LoggerFactory.getLogger(Mailbox.class);
  /** Envelope bytes of the deposits remembered for handing on after a refusal, at most. */
  static final int REMEMBERED_BYTES = 8 * 1024 * 1024;
  /** Envelopes moved to the outbox per push step. */
  static final int PUSH_BATCH = 256;
  /** Shortest time between two prunes of old mailbox envelopes. */
  static final Duration PRUNE_EVERY = Duration.ofHours(1);

  private final NodeContext ctx;
  private final SpaceActor.Services services;
  private final Lane nodeLane;
  private final int holders;
  /** Envelopes kept per recipient at most ({@link NodeConfig#mailboxCapacity()}). */
  private final int capacity;
  /** How long a kept envelope waits for its recipient at most. */
  private final Duration maxAge;
  /**
   * This node's recent deposits by envelope id, with the members already asked, so that a refused
   * one goes to a member not asked yet; the newest, up to {@link #REMEMBERED_BYTES} of envelopes.
   * Guarded by itself, as is {@link #depositedBytes}.
   */
  private final Map<Id, Deposited> deposited = new LinkedHashMap<>();
  private long depositedBytes;

  /** A deposit this node made: its space, recipient, envelope and the members asked so far. */
  private record Deposited(Id spaceId, PeerId recipient, byte[] envelope, Set<PeerId> asked) {}
  private volatile Instant lastPrune = Instant.MIN;
  private volatile boolean closed;

  Mailbox(NodeContext ctx, Lane nodeLane, SpaceActor.Services services, int holders) {
    this.ctx = ctx;
    this.nodeLane = nodeLane;
    this.services = services;
    this.holders = holders;
    this.capacity = ctx.config.mailboxCapacity();
    this.maxAge = ctx.config.mailboxMaxAge();
  }

  /** Hooks into the outbox and reconnects; unless opted out. */
  void start() {
    if (holders == 0) {
      return;
    }
    services.outbox().onFirstFailure(this::unreachable);
    ctx.bus.subscribe(e -> {
      if (e instanceof EventBus.PeerConnected pc && !closed) {
        push(pc.peer());
      }
    });
  }

  /** Where envelopes go when no member mailbox is reachable (issue 12); null: nowhere. */
  private volatile Rendezvous lastResort;

  /** Sets where envelopes go when no member mailbox is reachable. */
  void lastResort(Rendezvous r) {
    lastResort = r;
  }

  /**
   * Remembers again the direct envelopes this node may deposit whose copies are still in the
   * outbox after a restart, and deletes the records of the others; after {@link Outbox#load()},
   * before any step runs.
   *
   * @throws StorageException if the store fails
   */
  void restoreDepositable() throws StorageException {
    Set<Id> queued = services.outbox().storedEnvelopeIds();
    ctx.storage.<Void, RuntimeException>inTransaction(t -> {
      for (NodeRecord r : t.nodeRecords(NodeRecord.KIND_DEPOSITABLE)) {
        if (queued.contains(r.key())) {
          services.messenger().restoreDepositable(r.key(), Id.of(r.value()));
        } else {
          t.deleteNodeRecord(r.kind(), r.key());
        }
      }
      return null;
    });
  }

  /** Stops depositing and pushing; steps already submitted run. */
  void close() {
    closed = true;
  }

  // ---------------------------------------------------------------------------------------------
  // Depositor

  /** A copy to a recipient failed its first attempt: hand it to holders of its space. */
  private void unreachable(PeerId recipient, byte[] envelope) {
    if (closed) {
      return;
    }
    // the kind is not visible outside the seal: a copy no group tag of ours knows is a direct
    // envelope, kept only if the messenger sealed it as depositable (Welcomes, join requests,
    // invites) and so knows its space
    Optional<NodeContext.EpochLabel> label = ctx.tags.find(envelope);
    SpaceActor a = label.map(l -> ctx.groupOwners.get(l.group())).orElse(null);
    boolean direct = label.isEmpty();
    if (direct) {
      a = services.messenger().takeDepositable(envelope).map(ctx.spaces::get).orElse(null);
    }
    Transport t = ctx.transportOrNull();
    if (a == null || t == null) {
      return;
    }
    Set<PeerId> connected = t.connectedPeers();
    SpaceActor space = a;
    space.step(s -> {
      if (direct) {
        Id envelopeId = Id.of(NodeContext.sha256(envelope));
        s.write(x -> x.deleteNodeRecord(NodeRecord.KIND_DEPOSITABLE, envelopeId));
      }
      deposit(space, s, recipient, envelope, connected, Set.of());
      return null;
    }).exceptionally(e -> {
      LOG.debug("could not deposit a copy for {}: {}", recipient, e.toString());
      return null;
    });
  }

  /** Hands a copy to up to {@code holders} connected members not asked before; in a step. */
  private void deposit(SpaceActor a, Step s, PeerId recipient, byte[] envelope,
      Set<PeerId> connected, Set<PeerId> askedBefore) throws SpacePandaException {
    if (!a.present || a.control.leafOf(recipient) < 0) {
      return;
    }
    List<PeerId> candidates = new ArrayList<>();
    for (PeerId p : a.others(a.control)) {
      if (!p.equals(recipient) && connected.contains(p) && a.contact(p) != null
          && !askedBefore.contains(p)) {
        candidates.add(p);
      }
    }
    if (candidates.isEmpty() && lastResort != null) {
      lastResort.park(a, recipient, envelope); // no member mailbox reachable: the DHT (issue 12)
      return;
    }
    int wanted = askedBefore.isEmpty() ? holders : 1;
    while (candidates.size() > wanted) {
      candidates.remove(ctx.config.random().nextInt(candidates.size()));
    }
    if (candidates.isEmpty()) {
      return;
    }
    Set<PeerId> asked = new HashSet<>(askedBefore);
    asked.addAll(candidates);
    Id envelopeId = Id.of(NodeContext.sha256(envelope));
    remember(envelopeId, new Deposited(a.spaceId, recipient, envelope, Set.copyOf(asked)));
    NodeWire.MailboxDeposit d = new NodeWire.MailboxDeposit(a.spaceId.toBytes(),
        ctx.self.bytes(), recipient.bytes(), envelope);
    for (PeerId h : candidates) {
      s.touch();
      a.dispatchAfterCommit(s, services.messenger().send(s, services.outbox(), h,
          a.contact(h).inboxKey(), d));
    }
  }

  private void remember(Id envelopeId, Deposited d) {
    synchronized (deposited) {
      Deposited old = deposited.remove(envelopeId);
      if (old != null) {
        depositedBytes -= old.envelope().length;
      }
      deposited.put(envelopeId, d);
      depositedBytes += d.envelope().length;
      Iterator<Deposited> it = deposited.values().iterator();
      while (depositedBytes > REMEMBERED_BYTES && it.hasNext()) {
        depositedBytes -= it.next().envelope().length;
        it.remove();
      }
    }
  }

  /**
   * A holder refused a deposit: tell the event listener, and hand the copy to one member of the
   * space not asked yet (if this node still remembers the deposit and such a member is
   * connected); on the node lane. This node's own copy is retried either way.
   *
   * @param r the refusal
   * @return done
   */
  CompletableFuture<Void> onRefused(NodeWire.MailboxRefused r) {
    PeerId recipient = PeerId.fromBytes(r.recipient());
    boolean full = r.reason() == NodeWire.REFUSED_FULL;
    LOG.debug("a mailbox for {} refused a copy ({})", recipient, full ? "full" : "disabled");
    ctx.stats.mailboxRefused(recipient, full);
    Deposited d;
    synchronized (deposited) {
      d = deposited.get(Id.of(r.envelopeId()));
    }
    SpaceActor a = d == null ? null : ctx.spaces.get(d.spaceId());
    Transport t = ctx.transportOrNull();
    if (a == null || t == null || closed || !d.recipient().equals(recipient)) {
      return CompletableFuture.completedFuture(null);
    }
    Set<PeerId> connected = t.connectedPeers();
    return a.step(s -> {
      deposit(a, s, recipient, d.envelope(), connected, d.asked());
      return null;
    }).handle((x, e) -> {
      if (e != null) {
        LOG.debug("could not hand a refused copy for {} on: {}", recipient, e.toString());
      }
      return null;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Holder

  /**
   * Keeps a deposit for its recipient, or refuses it; on the node lane, the work in a step of the
   * space.
   *
   * @param d the deposit
   * @return completes when it is kept, refused or dropped
   */
  CompletableFuture<Void> onDeposit(NodeWire.MailboxDeposit d) {
    SpaceActor a = ctx.spaces.get(Id.of(d.spaceId()));
    if (a == null) {
      ctx.drop(DropReason.UNEXPECTED, "mailbox deposit for an unknown space");
      return CompletableFuture.completedFuture(null);
    }
    return a.step(s -> {
      hold(a, s, d);
      return null;
    }).thenApply(x -> null);
  }

  private void hold(SpaceActor a, Step s, NodeWire.MailboxDeposit d) throws SpacePandaException {
    PeerId depositor = PeerId.fromBytes(d.depositor());
    PeerId recipient = PeerId.fromBytes(d.recipient());
    Contact back = a.present ? a.contact(depositor) : null;
    if (!a.present || back == null || a.control.leafOf(depositor) < 0
        || a.control.leafOf(recipient) < 0 || recipient.equals(ctx.self)
        || depositor.equals(ctx.self)) {
      ctx.drop(DropReason.REFUSED, "mailbox deposit from or for a non-member");
      return;
    }
    Id envelopeId = Id.of(NodeContext.sha256(d.envelope()));
    Id to = NodeContext.peerKey(recipient);
    int reason = 0;
    if (holders == 0) {
      reason = NodeWire.REFUSED_DISABLED;
    } else {
      Instant now = ctx.now();
      try {
        pruneIfDue(now);
        int count = ctx.storage.inTransaction(t -> t.mailboxCount(to));
        if (count >= capacity) {
          reason = NodeWire.REFUSED_FULL;
        } else {
          MailboxEnvelope kept = new MailboxEnvelope(to, envelopeId, a.spaceId, d.envelope(),
              now);
          s.write(t -> t.putMailboxEnvelope(kept));
        }
      } catch (UnsupportedOperationException e) {
        reason = NodeWire.REFUSED_DISABLED;
      }
    }
    if (reason != 0) {
      a.dispatchAfterCommit(s, services.messenger().send(s, services.outbox(), depositor,
          back.inboxKey(), new NodeWire.MailboxRefused(a.spaceId.toBytes(), recipient.bytes(),
              envelopeId.toBytes(), reason)));
      return;
    }
    Transport t = ctx.transportOrNull();
    if (t != null && t.connectedPeers().contains(recipient)) {
      s.afterCommit(() -> push(recipient));
    }
  }

  /** Deletes envelopes older than the maximum age, at most once per {@link #PRUNE_EVERY}. */
  private void pruneIfDue(Instant now) throws SpacePandaException {
    if (Duration.between(lastPrune, now).compareTo(PRUNE_EVERY) >= 0) {
      lastPrune = now;
      ctx.storage.inTransaction(t -> t.pruneMailboxes(now.minus(maxAge)));
    }
  }

  /** The recipient connected: push what is kept for it, a batch per step on the node lane. */
  private void push(PeerId recipient) {
    if (closed) {
      return;
    }
    ctx.steps.submit(nodeLane, null, s -> {
      Id to = NodeContext.peerKey(recipient);
      List<MailboxEnvelope> kept;
      try {
        pruneIfDue(ctx.now());
        kept = ctx.storage.inTransaction(t -> t.mailboxEnvelopes(to, PUSH_BATCH));
      } catch (UnsupportedOperationException e) {
        return null;
      }
      List<OutboxEntry> out = new ArrayList<>();
      for (MailboxEnvelope m : kept) {
        out.add(services.outbox().enqueue(s, m.envelopeId(), m.envelope(), recipient));
        s.write(t -> t.deleteMailboxEnvelope(to, m.envelopeId()));
      }
      if (!out.isEmpty()) {
        s.afterCommit(() -> {
          services.outbox().dispatchInOrder(recipient, out);
          if (kept.size() == PUSH_BATCH) {
            push(recipient);
          }
        });
      }
      return null;
    }).exceptionally(e -> {
      LOG.debug("could not push a mailbox to {}: {}", recipient, e.toString());
      return null;
    });
  }
}
