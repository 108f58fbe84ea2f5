package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.SyncEnvelope;
import io.spacepanda.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sync ({@code /spacepanda/sync/1.0.0}) of every group of a space, its channels and its control
 * group: application messages by per-sender high-water marks (the summary idea of Waku SDS,
 * reduced to per-sender sequence numbers), commits by epoch, and lost channel Welcomes through
 * the control group (DESIGN.md "Reliability").
 *
 * <p>What is kept. Every application message a node sends or receives in a group (channel
 * messages and the control group's space operations) is kept as the MLS message it travelled as,
 * addressed by (group, sender, the sender's own sequence number from the inner payload), in the
 * same step that stores it ({@link io.spacepanda.spi.StorageTransaction#putSyncEnvelope}). Every
 * commit it makes or applies is kept under the pseudo-sender {@link #COMMITS} with the epoch it was
 * sent in as its sequence; every proposal under {@link SyncProposals#PROPOSALS}, by epoch (pending
 * proposals of the current epoch are served to a member at the same epoch that lacks them); every channel Welcome it sends as a channel's committer is kept under
 * {@link #welcomeKey} of the member with the epoch it opens. A member's <em>high-water mark</em>
 * for a sender is the highest sequence up to which it holds every message from 0 (or from a
 * pruning tombstone) on.
 *
 * <p>Bounds. Once per round, each group keeps at most {@link #KEEP_PER_SENDER} messages per sender
 * (and so that many commits and Welcomes per member), the newest; older ones are deleted, leaving a
 * tombstone so that marks still count (see {@link
 * io.spacepanda.spi.StorageTransaction#pruneSyncEnvelopes}). A member more than that many messages
 * of one sender behind cannot fetch the oldest ones.
 *
 * <p>Exchange. When it starts, a member sends its summaries to up to {@link #START_FANOUT}
 * members of each group, connected or not (which connects them). On {@link
 * EventBus.PeerConnected} a member sends a {@link NodeWire.SyncSummary}
 * (its epoch and marks) of every group it shares with the peer; every sync interval ({@link
 * NodeConfig#DEFAULT_SYNC_INTERVAL} unless configured; zero turns sync off; jittered uniformly
 * between half and one and a half of it) it sends each group's summary to at most {@link
 * #ROUND_FANOUT} connected members chosen at random among those that have not seen its current
 * summary yet, or not for {@link #KEEPALIVE_ROUNDS} rounds (an idle group costs a summary per
 * member every few minutes, not every round). The control group's summary carries the ids of the
 * channels the asker is in ({@link NodeWire#EXT_MEMBER_CHANNELS}). Only the one member a summary
 * or request names in {@link SyncServers#EXT_SERVE} serves it (summaries name nobody): it answers
 * with a {@link NodeWire.SyncResponse} holding the commits from the asker's epoch on and the
 * messages above the asker's marks, ordered by epoch (the messages of an epoch before the commit
 * that ends it), at most {@link NodeWire#MAX_SYNC_ITEMS} and about {@link #MAX_RESPONSE_BYTES}.
 * A receiver that holds what the asker lacks, or lacks what it holds, or whose own summary
 * changed, answers with its marks in a {@link NodeWire.SyncRequest} (answered, never asked back).
 * A member that sees in received marks that it lacks something chooses one holder to serve it
 * ({@link SyncServers}: by a hash of itself, the group, the round and the holder; another holder
 * when the chosen one is silent for a round) and sends it a request naming it. A response that
 * did not hold everything says so, and the asker asks the same member again once it processed
 * it. A gap is therefore found within one round trip of a summary, and filled from one member at
 * {@link NodeWire#MAX_SYNC_ITEMS} per round trip, after one more round trip.
 *
 * <p>Lost Welcomes. A member of the control group that sees, in a summary's channel list, that the
 * asker lacks a channel the asker is a member of (by the responder's own MLS tree) re-sends the
 * kept Welcome if it is that channel's committer, and otherwise sends the asker a {@link
 * NodeWire.ChannelInvite}, so that it asks the committer, which then re-sends the kept Welcome
 * ({@link ChannelJoins#resendWelcome}); at most once per member, channel and interval.
 *
 * <p>Processing. The asker feeds each fetched MLS message, one step each, into the same path as a
 * received group envelope ({@link SpaceInbound#receiveMls}); one it holds already (by address,
 * epoch or message id) is skipped, so nothing is displayed twice. A message of a past epoch
 * decrypts only while that epoch is within the asker's past-epoch retention; beyond it, it is
 * dropped as {@link DropReason#PAST_EPOCH}, and a tombstone is kept at its address so that the
 * mark moves past it and it is not asked for again (a member's tombstones are never served to
 * others). One that cannot be processed yet (a later epoch) is not held: the next round asks for
 * it again.
 *
 * <p>Privacy. Direct envelopes carry no sender, so a summary names its asker; the answer goes only
 * to a member of the group, sealed to its inbox key as recorded in the space, and its content is
 * MLS ciphertext (or a Welcome sealed to the member's KeyPackage).
 *
 * <p>Threading: the timer and event subscriber only submit steps to the space lanes; every read
 * and write of a space's state runs in a step on its lane. The per-peer bookkeeping maps are
 * concurrent.
 */
final class ChannelSync {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelSync.class);
  /** Connected members of a group sent a summary per periodic round, chosen at random. */
  static final int ROUND_FANOUT = 3;
  /** Members of a group sent a summary when the node starts, connected or not. */
  static final int START_FANOUT = 8;
  /** Soft bound on the MLS bytes of one response: it stops before exceeding it, after one. */
  static final int MAX_RESPONSE_BYTES = 256 * 1024;
  /** Messages kept per sender and group (and commits per group); older ones are pruned. */
  static final int KEEP_PER_SENDER = 10_000;
  /** An unchanged summary is sent to a member again after this many rounds. */
  static final int KEEPALIVE_ROUNDS = 20;
  /** The pseudo-sender under which commits are kept, by the epoch they were sent in. */
  static final Id COMMITS = Id.of(new byte[] {(byte) 0xFF, 'C'});
  private static final byte WELCOME_PREFIX = (byte) 0xFE;

  private final NodeContext ctx;
  private final SpaceActor.Services services;
  private final Duration interval;
  private volatile boolean closed;
  private volatile Scheduler.Cancellable timer;
  private volatile long round;
  /** What summary digest was last sent per (group, peer), and in which round. */
  private final Map<Pair, long[]> lastSent = new ConcurrentHashMap<>();
  /** The digest of the last summary or request received per (group, peer). */
  private final Map<Pair, Long> peerState = new ConcurrentHashMap<>();
  /** Groups in which a peer was seen to hold more than this node: the sync gaps gauge. */
  private final Set<Id> behind = ConcurrentHashMap.newKeySet();
  /** When a Welcome was last re-sent or an invite hinted, per (channel, member). */
  private final Map<Pair, Instant> hinted = new ConcurrentHashMap<>();

  /** Turns members' marks of this node's own messages into delivery states. */
  private final DeliveryConfirmations confirmations;
  private final WelcomeProbes probes;
  private final SyncFetch fetch;
  /** Whom this node asks to serve it, per group it is behind in. */
  private final SyncServers servers;
  /** Sync messages this node sent and responses it received; for tests and measurements. */
  final Counts counts = new Counts();

  /** Counters of sync traffic (summaries, requests, responses sent; responses received). */
  static final class Counts {
    final java.util.concurrent.atomic.AtomicLong summaries = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong responses = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();

    /** Counts a sync message about to be sent. */
    void sent(NodeWire.Msg m) {
      if (m instanceof NodeWire.SyncSummary) {
        summaries.incrementAndGet();
      } else if (m instanceof NodeWire.SyncRequest) {
        requests.incrementAndGet();
      } else if (m instanceof NodeWire.SyncResponse) {
        responses.incrementAndGet();
      }
    }
  }

  /** Sends a sync message to a member after the step commits, counting it. */
  void send(SpaceActor a, Step s, PeerId to, byte[] inboxKey, NodeWire.Msg m)
      throws SpacePandaException {
    counts.sent(m);
    a.dispatchAfterCommit(s, services.messenger().send(s, services.outbox(), to, inboxKey, m));
  }

  /** A (group, peer) key of the bookkeeping maps (not a string: no Base58 per lookup). */
  private record Pair(Id group, PeerId peer) {}

  ChannelSync(NodeContext ctx, SpaceActor.Services services, Duration interval) {
    this.ctx = ctx;
    this.services = services;
    this.interval = interval;
    this.confirmations = new DeliveryConfirmations(ctx, services.outbox());
    this.probes = new WelcomeProbes(ctx);
    this.servers = new SyncServers(ctx.self);
    this.fetch = new SyncFetch(ctx, services, behind, this);
  }

  /** @return the key under which the Welcome of a member to a channel is kept */
  static Id welcomeKey(PeerId member) {
    byte[] p = member.bytes();
    byte[] k = new byte[p.length + 1];
    k[0] = WELCOME_PREFIX;
    System.arraycopy(p, 0, k, 1, p.length);
    return Id.of(k);
  }

  /** @return true for the pseudo-senders (commits, Welcomes), which have no marks */
  static boolean pseudoSender(Id sender) {
    byte b = sender.toBytes()[0];
    return b == WELCOME_PREFIX || b == (byte) 0xFF;
  }

  /** @return how many groups this node knows to be behind a member in; for the gauge */
  long gaps() {
    return behind.size();
  }

  /** Subscribes to reconnects and starts the periodic summaries, unless sync is off. */
  void start() {
    if (interval.isZero()) {
      return;
    }
    ctx.bus.subscribe(e -> {
      if (e instanceof EventBus.PeerConnected pc && !closed) {
        forget(pc.peer());
        summarize(Set.of(pc.peer()), Integer.MAX_VALUE, false);
      }
    });
    // Coming back: tell up to START_FANOUT members of each group, connected or not, so that
    // connections (and mailbox pushes, summaries) start without waiting for others to send.
    Set<PeerId> everyone = new HashSet<>();
    for (SpaceActor a : ctx.spaces.values()) {
      SpaceSnapshot snap = a.snapshot();
      if (snap != null) {
        everyone.addAll(snap.members());
      }
    }
    everyone.remove(ctx.self);
    if (!everyone.isEmpty()) {
      summarize(everyone, START_FANOUT, false);
    }
    scheduleNext();
  }

  /** Stops the periodic summaries; steps already submitted run. */
  void close() {
    closed = true;
    Scheduler.Cancellable t = timer;
    if (t != null) {
      t.cancel();
    }
  }

  private void forget(PeerId peer) {
    lastSent.keySet().removeIf(k -> k.peer().equals(peer));
    peerState.keySet().removeIf(k -> k.peer().equals(peer));
  }

  private void scheduleNext() {
    if (closed) {
      return;
    }
    long ms = interval.toMillis();
    long delay = ms / 2 + ctx.config.random().nextLong(ms + 1);
    timer = ctx.scheduler.schedule(Duration.ofMillis(delay), this::tick);
  }

  private void tick() {
    if (closed) {
      return;
    }
    round++;
    Transport t = ctx.transportOrNull();
    Set<PeerId> connected = t == null ? Set.of() : t.connectedPeers();
    summarize(connected, ROUND_FANOUT, true);
    scheduleNext();
  }

  private void summarize(Set<PeerId> peers, int fanout, boolean periodic) {
    for (SpaceActor a : ctx.spaces.values()) {
      a.step(s -> {
        if (periodic && a.present) {
          prune(a);
          a.joins.resendChannelRequests(s);
          refetch(a, s);
        }
        if (!peers.isEmpty()) {
          sendSummaries(a, s, peers, fanout, periodic);
        }
        return null;
      }).exceptionally(e -> {
        LOG.debug("could not send sync summaries: {}", e.toString());
        return null;
      });
    }
  }

  /**
   * Asks another holder in each group whose server has not answered for a round (offline or
   * hostile); in a step of the space.
   */
  private void refetch(SpaceActor a, Step s) throws SpacePandaException {
    for (GroupChannel gc : groups(a)) {
      PeerId server = servers.tick(gc.id(), round);
      Contact c = server == null ? null : a.contact(server);
      if (c != null) {
        s.touch();
        send(a, s, server, c.inboxKey(), new NodeWire.SyncRequest(a.spaceId.toBytes(),
            gc.id().toBytes(), ctx.self.bytes(), gc.group().epoch(), SyncSummaries.marks(ctx, gc),
            SyncServers.with(SyncSummaries.extensions(a, gc), server)));
      }
    }
  }

  /** Bounds the kept messages of every group of the space; in a step, its own transaction. */
  private void prune(SpaceActor a) throws SpacePandaException {
    if (!a.present) {
      return;
    }
    for (GroupChannel gc : groups(a)) {
      ctx.storage.inTransaction(t -> t.pruneSyncEnvelopes(gc.id(), KEEP_PER_SENDER));
    }
  }

  private static List<GroupChannel> groups(SpaceActor a) {
    List<GroupChannel> out = new ArrayList<>();
    if (a.present) {
      out.add(a.control);
      out.addAll(a.channels.values());
    }
    return out;
  }

  /** Sends this node's summary of every group of the space to up to fanout of the peers in it. */
  private void sendSummaries(SpaceActor a, Step s, Set<PeerId> peers, int fanout,
      boolean periodic) throws SpacePandaException {
    for (GroupChannel gc : groups(a)) {
      List<PeerId> to = new ArrayList<>();
      NodeWire.SyncSummary summary = null;
      long digest = 0;
      for (PeerId p : a.others(gc)) {
        if (!peers.contains(p) || a.contact(p) == null) {
          continue;
        }
        if (summary == null) {
          summary = SyncSummaries.summary(ctx, a, gc);
          digest = SyncSummaries.digest(summary.epoch(), summary.marks(), summary.extensions());
        }
        long[] last = lastSent.get(new Pair(gc.id(), p));
        Long known = peerState.get(new Pair(gc.id(), p));
        // Quiet while the peer is known to hold what this node holds, and knows it.
        if (periodic && last != null && last[0] == digest && known != null && known == digest
            && round - last[1] < KEEPALIVE_ROUNDS) {
          continue;
        }
        to.add(p);
      }
      while (to.size() > fanout) {
        to.remove(ctx.config.random().nextInt(to.size()));
      }
      if (periodic) {
        probes.probe(a, s, gc, peers, round, p -> peerState.containsKey(new Pair(gc.id(), p)), to);
      }
      if (summary == null && !to.isEmpty()) {
        summary = SyncSummaries.summary(ctx, a, gc);
        digest = SyncSummaries.digest(summary.epoch(), summary.marks(), summary.extensions());
      }
      for (PeerId p : to) {
        lastSent.put(new Pair(gc.id(), p), new long[] {digest, round});
        send(a, s, p, a.contact(p).inboxKey(), summary);
      }
    }
  }

  /** A summary or request as the handlers receive it. */
  record Marks(byte[] groupId, byte[] asker, long epoch, List<NodeWire.SyncMark> marks,
      List<NodeWire.SyncExtension> extensions) {}

  /**
   * Answers a summary or request with what the asker lacks, and asks back if it is a summary and
   * the asker holds more; in a step of the space.
   */
  void onMarks(SpaceActor a, Step s, Marks m, boolean askBack) throws SpacePandaException {
    Id groupId = Id.of(m.groupId());
    GroupChannel gc = !a.present ? null
        : a.control.id().equals(groupId) ? a.control : a.channels.get(groupId);
    if (gc == null) {
      ctx.drop(DropReason.UNEXPECTED, "sync for an unknown group");
      return;
    }
    PeerId asker = PeerId.fromBytes(m.asker());
    Contact contact = a.contact(asker);
    if (asker.equals(ctx.self) || gc.leafOf(asker) < 0 || contact == null) {
      ctx.drop(DropReason.REFUSED, "sync from a non-member");
      return;
    }
    if (a.forks.onSummary(s, gc, asker, contact, m.extensions(), this)) {
      // On another branch: the fork is resolved first (Forks); nothing else is served.
      return;
    }
    Id askerKey = NodeContext.peerKey(asker);
    Map<Id, Long> theirs = new HashMap<>();
    for (NodeWire.SyncMark mk : m.marks()) {
      theirs.put(Id.of(mk.sender()), mk.highWater());
    }
    Long ownMark = theirs.get(NodeContext.peerKey(ctx.self));
    if (ownMark != null && !gc.isControl()) {
      confirmations.onMark(s, gc.id(), asker, ownMark);
    }
    long myEpoch = gc.group().epoch();
    Map<Id, Long> mine = ctx.storage.inTransaction(t -> t.highWaterMarks(gc.id()));
    // Only the member the asker names serves it (SyncServers); the others tell it their marks.
    int asked = SyncServers.asks(m.extensions(), ctx.self);
    boolean askerLacks;
    boolean lacksProposals;
    if (asked == 0) {
      List<SyncEnvelope> proposals = new ArrayList<>();
      lacksProposals = SyncProposals.serve(ctx, gc, m.epoch(), m.extensions(), proposals);
      askerLacks = myEpoch > m.epoch() || SyncAnswers.ahead(mine, theirs, askerKey) || !proposals.isEmpty();
    } else {
      List<SyncEnvelope> candidates = new ArrayList<>();
      boolean[] more = new boolean[1];
      lacksProposals = SyncAnswers.candidates(ctx, gc, m, mine, theirs, askerKey, candidates,
          more);
      List<NodeWire.SyncItem> items = SyncAnswers.items(candidates, more);
      askerLacks = !items.isEmpty();
      // A request naming this node is always answered, empty when nothing is lacking, so that
      // the asker knows its server is there and done.
      if (!items.isEmpty() || (asked == 1 && !askBack)) {
        s.touch();
        send(a, s, asker, contact.inboxKey(), new NodeWire.SyncResponse(a.spaceId.toBytes(),
            gc.id().toBytes(), ctx.self.bytes(), more[0], items));
      }
    }
    boolean lacking = m.epoch() > myEpoch || lacksSome(mine, theirs) || lacksProposals;
    Pair pair = new Pair(gc.id(), asker);
    PeerId server = null;
    if (lacking) {
      behind.add(gc.id());
      server = servers.holds(gc.id(), asker, round, m.epoch(), theirs);
    } else {
      servers.level(gc.id(), asker);
    }
    peerState.put(pair, SyncSummaries.digest(m.epoch(), m.marks(), m.extensions()));
    List<NodeWire.SyncMark> myMarks = null;
    List<NodeWire.SyncExtension> myExtensions = null;
    long myDigest = 0;
    if (server != null || askBack) {
      myMarks = SyncSummaries.marks(ctx, gc);
      myExtensions = SyncSummaries.extensions(a, gc);
      myDigest = SyncSummaries.digest(myEpoch, myMarks, myExtensions);
    }
    boolean toldAsker = false;
    if (server != null) {
      Contact sc = a.contact(server);
      if (sc != null) {
        if (server.equals(asker)) {
          lastSent.put(pair, new long[] {myDigest, round});
          toldAsker = true;
        }
        s.touch();
        send(a, s, server, sc.inboxKey(), new NodeWire.SyncRequest(a.spaceId.toBytes(),
            gc.id().toBytes(), ctx.self.bytes(), myEpoch, myMarks,
            SyncServers.with(myExtensions, server)));
      }
    }
    if (askBack) {
      long[] last = lastSent.get(pair);
      // Tell the asker this node's marks when it lacks something (so that it may ask this node)
      // or once when they changed, so that both fall quiet until something changes.
      if (!toldAsker && (askerLacks || last == null || last[0] != myDigest)) {
        lastSent.put(pair, new long[] {myDigest, round});
        s.touch();
        send(a, s, asker, contact.inboxKey(), new NodeWire.SyncRequest(a.spaceId.toBytes(),
            gc.id().toBytes(), ctx.self.bytes(), myEpoch, myMarks,
            SyncServers.with(myExtensions, null)));
      }
      if (!lacking) {
        behind.remove(gc.id());
      }
    }
    if (gc.isControl()) {
      hintLostWelcomes(a, s, asker, contact, m.extensions());
    }
  }

  private boolean lacksSome(Map<Id, Long> mine, Map<Id, Long> theirs) {
    Id selfKey = NodeContext.peerKey(ctx.self);
    for (Map.Entry<Id, Long> e : theirs.entrySet()) {
      if (!e.getKey().equals(selfKey) && e.getValue() > mine.getOrDefault(e.getKey(), -1L)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The asker's channel list lacks a channel it is a member of by this node's tree: its Welcome
   * was lost. The channel's committer re-sends it; another member hints the asker to ask for it.
   */
  private void hintLostWelcomes(SpaceActor a, Step s, PeerId asker, Contact contact,
      List<NodeWire.SyncExtension> extensions) throws SpacePandaException {
    Set<Id> theirChannels = null;
    for (NodeWire.SyncExtension x : extensions) {
      if (x.type() == NodeWire.EXT_MEMBER_CHANNELS) {
        theirChannels = new HashSet<>();
        try {
          for (byte[] id : NodeWire.decodeIds(x.body())) {
            theirChannels.add(Id.of(id));
          }
        } catch (MlsDecodeException | IllegalArgumentException e) {
          ctx.drop(DropReason.MALFORMED, "sync channel list");
          return;
        }
      }
    }
    if (theirChannels == null) {
      return;
    }
    for (GroupChannel gc : List.copyOf(a.channels.values())) {
      if (theirChannels.contains(gc.id()) || gc.leafOf(asker) < 0 || !mayHint(asker, gc)) {
        continue;
      }
      if (ctx.policy.mayCommit(a.meta, gc, ctx.self)) {
        a.joins.resendWelcome(s, gc, asker, contact.inboxKey());
      } else {
        a.dispatchAfterCommit(s, services.messenger().send(s, services.outbox(), asker,
            contact.inboxKey(), new NodeWire.ChannelInvite(a.spaceId.toBytes(),
                SpaceInbound.info(gc))));
      }
    }
  }

  private boolean mayHint(PeerId member, GroupChannel gc) {
    Pair key = new Pair(gc.id(), member);
    Instant now = ctx.now();
    Instant last = hinted.get(key);
    if (last != null && now.isBefore(last.plus(interval.isZero() ? Duration.ofSeconds(30)
        : interval))) {
      return false;
    }
    hinted.put(key, now);
    return true;
  }

  /**
   * Processes the messages of a response, one step each in order, then asks the responder again
   * if it had more ({@link SyncFetch}).
   *
   * @return completes when every step ran (failed ones are logged and skipped)
   */
  CompletableFuture<Void> onResponse(SpaceActor a, NodeWire.SyncResponse r) {
    counts.received.incrementAndGet();
    return fetch.onResponse(a, r);
  }

  /**
   * A response from a member was processed: the fetch goes on, or asks the next holder still
   * ahead of this node; in a step of the space ({@link SyncServers}).
   */
  void answered(SpaceActor a, Step s, Id groupId, PeerId responder, boolean more,
      boolean progress) throws SpacePandaException {
    GroupChannel gc = !a.present ? null
        : a.control.id().equals(groupId) ? a.control : a.channels.get(groupId);
    if (gc == null) {
      return;
    }
    long myEpoch = gc.group().epoch();
    Map<Id, Long> mine = more ? Map.of()
        : ctx.storage.inTransaction(t -> t.highWaterMarks(gc.id()));
    PeerId next = servers.answered(groupId, responder, more, progress, round,
        h -> h.epoch() > myEpoch || lacksSome(mine, h.marks()));
    Contact c = next == null ? null : a.contact(next);
    if (c != null) {
      s.touch();
      send(a, s, next, c.inboxKey(), new NodeWire.SyncRequest(a.spaceId.toBytes(),
          gc.id().toBytes(), ctx.self.bytes(), myEpoch, SyncSummaries.marks(ctx, gc),
          SyncServers.with(SyncSummaries.extensions(a, gc), next)));
    }
  }

  /** Asks a responder again for what this node lacks in a group; in a step of the space. */
  void askAgain(SpaceActor a, Step s, Id groupId, PeerId responder)
      throws SpacePandaException {
    fetch.askAgain(a, s, groupId, responder);
  }
}
