package io.spacepanda.internal.node;

import io.spacepanda.MessageId;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.SyncEnvelope;
import io.spacepanda.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sync of channel application messages by per-sender high-water marks (the summary idea of Waku
 * SDS, reduced to per-sender sequence numbers; DESIGN.md "Reliability").
 *
 * <p>What is kept. Every application message a node sends or receives in a channel is kept as the
 * MLS message it travelled as (a PrivateMessage), addressed by (channel, sender, the sender's own
 * sequence number from the inner payload), in the same step that stores the message ({@link
 * io.spacepanda.spi.StorageTransaction#putSyncEnvelope}). A member's <em>high-water mark</em> for
 * a sender is the highest sequence up to which it holds every message from 0 on.
 *
 * <p>Exchange. On {@link EventBus.PeerConnected} and every sync interval ({@link
 * NodeConfig#DEFAULT_SYNC_INTERVAL} unless configured; zero turns sync off; jittered
 * uniformly between half and one and a half of it) a member sends a {@link NodeWire.SyncSummary}
 * of its marks for each channel to the member that connected, or, in a periodic round, to at most
 * {@link #ROUND_FANOUT} connected members of the channel chosen at random (so a round costs
 * O(members), not O(members²), and a gap that every holder could fill is still found in the first
 * round),, in a direct envelope through the
 * {@link Outbox}. The receiver answers with a {@link NodeWire.SyncResponse} holding the kept
 * messages above the asker's marks, per sender in sequence order, at most {@link
 * NodeWire#MAX_SYNC_ITEMS} and about {@link #MAX_RESPONSE_BYTES}; when the asker holds more than
 * it, it also sends a {@link NodeWire.SyncRequest} (answered, never asked back). A response that
 * did not hold everything says so, and the asker asks the same member again once it processed it.
 * A gap is therefore found within one round, and filled at {@link NodeWire#MAX_SYNC_ITEMS} per
 * round trip.
 *
 * <p>Processing. The asker feeds each fetched MLS message, one step each, into the same path as a
 * received group envelope ({@link SpaceInbound#receiveMls}); one it holds already (by address or
 * message id) is skipped, so nothing is displayed twice. A message of a past epoch decrypts only
 * while that epoch is within the asker's past-epoch retention; beyond it, it is dropped as {@link
 * DropReason#PAST_EPOCH} and asked for again each round (a known limit of this first slice). One
 * that cannot be processed yet (a later epoch) is not held: the next round asks for it again.
 *
 * <p>Not yet synced: commits and Welcomes, control-group operations, and messages of a sender of
 * which the asker lacks message 0 are served only from the responder's contiguous range. Direct
 * envelopes carry no sender, so a summary names its asker; the answer goes only to a member of the
 * channel, sealed to its inbox key as recorded in the space, and its content is MLS ciphertext.
 *
 * <p>Threading: the timer and event subscriber only submit steps to the space lanes; every read
 * and write of a space's state runs in a step on its lane.
 */
final class ChannelSync {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelSync.class);
  /** Connected members of a channel sent a summary per periodic round, chosen at random. */
  static final int ROUND_FANOUT = 3;
  /** Soft bound on the MLS bytes of one response: it stops before exceeding it, after one. */
  static final int MAX_RESPONSE_BYTES = 256 * 1024;

  private final NodeContext ctx;
  private final SpaceActor.Services services;
  private final Duration interval;
  private volatile boolean closed;
  private volatile Scheduler.Cancellable timer;

  ChannelSync(NodeContext ctx, SpaceActor.Services services, Duration interval) {
    this.ctx = ctx;
    this.services = services;
    this.interval = interval;
  }

  /** Subscribes to reconnects and starts the periodic summaries, unless sync is off. */
  void start() {
    if (interval.isZero()) {
      return;
    }
    ctx.bus.subscribe(e -> {
      if (e instanceof EventBus.PeerConnected pc && !closed) {
        summarize(Set.of(pc.peer()), 1);
      }
    });
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
    Transport t = ctx.transportOrNull();
    Set<PeerId> connected = t == null ? Set.of() : t.connectedPeers();
    if (!connected.isEmpty()) {
      summarize(connected, ROUND_FANOUT);
    }
    scheduleNext();
  }

  private void summarize(Set<PeerId> peers, int fanout) {
    for (SpaceActor a : ctx.spaces.values()) {
      a.step(s -> {
        sendSummaries(a, s, peers, fanout);
        return null;
      }).exceptionally(e -> {
        LOG.debug("could not send sync summaries: {}", e.toString());
        return null;
      });
    }
  }

  /** Sends this node's marks of every channel of the space to up to fanout of the peers in it. */
  private void sendSummaries(SpaceActor a, Step s, Set<PeerId> peers, int fanout)
      throws SpacePandaException {
    if (!a.present) {
      return;
    }
    for (GroupChannel gc : List.copyOf(a.channels.values())) {
      List<PeerId> to = new ArrayList<>();
      for (PeerId p : a.others(gc)) {
        if (peers.contains(p) && a.contact(p) != null) {
          to.add(p);
        }
      }
      if (to.isEmpty()) {
        continue;
      }
      while (to.size() > fanout) {
        to.remove(ctx.config.random().nextInt(to.size()));
      }
      List<NodeWire.SyncMark> marks = marks(gc);
      for (PeerId p : to) {
        a.dispatchAfterCommit(s, services.messenger().send(s, services.outbox(), p,
            a.contact(p).inboxKey(), new NodeWire.SyncSummary(a.spaceId.toBytes(),
                gc.id().toBytes(), ctx.self.bytes(), marks)));
      }
    }
  }

  private List<NodeWire.SyncMark> marks(GroupChannel gc) throws SpacePandaException {
    Map<Id, Long> mine = ctx.storage.inTransaction(t -> t.highWaterMarks(gc.id()));
    List<NodeWire.SyncMark> out = new ArrayList<>(mine.size());
    for (Map.Entry<Id, Long> e : mine.entrySet()) {
      if (out.size() == NodeWire.MAX_SYNC_MARKS) {
        break;
      }
      out.add(new NodeWire.SyncMark(e.getKey().toBytes(), e.getValue()));
    }
    return out;
  }

  /**
   * Answers a summary or request with what the asker lacks, and asks back if it is a summary and
   * the asker holds more; in a step of the space.
   */
  void onMarks(SpaceActor a, Step s, byte[] channelId, byte[] askerBytes,
      List<NodeWire.SyncMark> theirMarks, boolean askBack) throws SpacePandaException {
    GroupChannel gc = a.present ? a.channels.get(Id.of(channelId)) : null;
    if (gc == null) {
      ctx.drop(DropReason.UNEXPECTED, "sync for an unknown channel");
      return;
    }
    PeerId asker = PeerId.fromBytes(askerBytes);
    Contact contact = a.contact(asker);
    if (asker.equals(ctx.self) || gc.leafOf(asker) < 0 || contact == null) {
      ctx.drop(DropReason.REFUSED, "sync from a non-member");
      return;
    }
    Id askerKey = NodeContext.peerKey(asker);
    Map<Id, Long> theirs = new HashMap<>();
    for (NodeWire.SyncMark m : theirMarks) {
      theirs.put(Id.of(m.sender()), m.highWater());
    }
    Map<Id, Long> mine = ctx.storage.inTransaction(t -> t.highWaterMarks(gc.id()));
    List<NodeWire.SyncItem> items = new ArrayList<>();
    boolean[] more = new boolean[1];
    ctx.storage.inTransaction(t -> {
      int bytes = 0;
      for (Map.Entry<Id, Long> e : mine.entrySet()) {
        long from = theirs.getOrDefault(e.getKey(), -1L) + 1;
        if (e.getKey().equals(askerKey) || e.getValue() < from) {
          continue;
        }
        if (items.size() == NodeWire.MAX_SYNC_ITEMS || bytes >= MAX_RESPONSE_BYTES) {
          more[0] = true;
          break;
        }
        List<SyncEnvelope> kept = t.syncEnvelopes(gc.id(), e.getKey(), from,
            NodeWire.MAX_SYNC_ITEMS - items.size());
        for (SyncEnvelope k : kept) {
          byte[] mls = k.mlsMessage();
          if (mls.length > NodeWire.MAX_SYNC_MESSAGE) {
            break;
          }
          if (!items.isEmpty() && bytes + mls.length > MAX_RESPONSE_BYTES) {
            more[0] = true;
            break;
          }
          bytes += mls.length;
          items.add(new NodeWire.SyncItem(k.sender().toBytes(), k.sequence(), k.epoch(), mls));
        }
        if (e.getValue() >= from + kept.size()) {
          more[0] = true;
        }
      }
      return null;
    });
    if (!items.isEmpty()) {
      s.touch();
      a.dispatchAfterCommit(s, services.messenger().send(s, services.outbox(), asker,
          contact.inboxKey(), new NodeWire.SyncResponse(a.spaceId.toBytes(), gc.id().toBytes(),
              ctx.self.bytes(), more[0], items)));
    }
    if (askBack && lacksSome(mine, theirs, askerKey)) {
      s.touch();
      a.dispatchAfterCommit(s, services.messenger().send(s, services.outbox(), asker,
          contact.inboxKey(), new NodeWire.SyncRequest(a.spaceId.toBytes(), gc.id().toBytes(),
              ctx.self.bytes(), marks(gc))));
    }
  }

  private boolean lacksSome(Map<Id, Long> mine, Map<Id, Long> theirs, Id askerKey) {
    Id selfKey = NodeContext.peerKey(ctx.self);
    for (Map.Entry<Id, Long> e : theirs.entrySet()) {
      if (!e.getKey().equals(selfKey) && e.getValue() > mine.getOrDefault(e.getKey(), -1L)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Processes the messages of a response, one step each in order, then asks the responder again
   * if it had more.
   *
   * @return completes when every step ran (failed ones are logged and skipped)
   */
  CompletableFuture<Void> onResponse(SpaceActor a, NodeWire.SyncResponse r) {
    Id channelId = Id.of(r.channelId());
    List<CompletableFuture<Object>> steps = new ArrayList<>();
    for (NodeWire.SyncItem item : r.items()) {
      steps.add(a.step(s -> {
        apply(a, s, channelId, item);
        return null;
      }).exceptionally(e -> {
        LOG.debug("a synced message could not be processed: {}", e.toString());
        return null;
      }));
    }
    if (r.more()) {
      steps.add(a.step(s -> {
        askAgain(a, s, channelId, PeerId.fromBytes(r.responder()));
        return null;
      }).exceptionally(e -> {
        LOG.debug("could not ask for more sync: {}", e.toString());
        return null;
      }));
    }
    return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
  }

  private void apply(SpaceActor a, Step s, Id channelId, NodeWire.SyncItem item)
      throws SpacePandaException {
    GroupChannel gc = a.present ? a.channels.get(channelId) : null;
    if (gc == null) {
      ctx.drop(DropReason.UNEXPECTED, "sync response for an unknown channel");
      return;
    }
    Id sender = Id.of(item.sender());
    if (sender.equals(NodeContext.peerKey(ctx.self))
        || ctx.seen.getIfPresent(MessageId.of(NodeContext.sha256(item.mlsMessage()))) != null) {
      return;
    }
    List<SyncEnvelope> held = ctx.storage.inTransaction(
        t -> t.syncEnvelopes(channelId, sender, item.sequence(), 1));
    if (!held.isEmpty() && held.get(0).sequence() == item.sequence()) {
      return;
    }
    a.inbound.receiveMls(s, gc, item.mlsMessage(), null);
  }

  private void askAgain(SpaceActor a, Step s, Id channelId, PeerId responder)
      throws SpacePandaException {
    GroupChannel gc = a.present ? a.channels.get(channelId) : null;
    Contact contact = a.contact(responder);
    if (gc == null || contact == null || responder.equals(ctx.self)) {
      return;
    }
    a.dispatchAfterCommit(s, services.messenger().send(s, services.outbox(), responder,
        contact.inboxKey(), new NodeWire.SyncRequest(a.spaceId.toBytes(), gc.id().toBytes(),
            ctx.self.bytes(), marks(gc))));
  }
}
