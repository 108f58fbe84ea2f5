package io.spacepanda.internal.net.mix;

import io.spacepanda.spi.Scheduler;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node of the mixnet: it mixes for others (decrypts a layer, holds the packet for the delay
 * its sender chose, forwards it), sends its own messages over random paths of {@link
 * MixConfig#hops()} mixes with an acknowledgement that returns through a single-use reply block,
 * and, when {@link MixConfig#cover()} is on, sends Loopix loop and drop cover traffic.
 *
 * <p>Messages inside a Sphinx payload:
 *
 * <pre>
 * frame = 1 ‖ body                          a message without acknowledgement
 *       | 2 ‖ surbLen(2) ‖ surb ‖ body      a message to acknowledge through the reply block
 *       | 3                                 an acknowledgement (a reply)
 * </pre>
 *
 * <p>Thread-safe: packets may arrive on any thread; forwarding waits on the {@link Scheduler}.
 * What leaves goes through {@link Link}; what is for this node goes to {@link Receiver}.
 */
public final class MixNode implements AutoCloseable {

  /** Sends a packet to a peer. */
  @FunctionalInterface
  public interface Link {
    /**
     * Sends one packet, best effort.
     *
     * @param address the next hop's address
     * @param packet {@value Sphinx#PACKET_LENGTH} bytes
     */
    void send(byte[] address, byte[] packet);
  }

  /** Receives the messages sent to this node. */
  @FunctionalInterface
  public interface Receiver {
    /**
     * A message arrived; the sender's acknowledgement leaves when the returned future completes
     * normally (the message is durable).
     *
     * @param body the message
     * @return completes when the message is handled
     */
    CompletableFuture<Void> onMessage(byte[] body);

    /**
     * A message arrived from the mix that handed over the last layer; by default the same as
     * {@link #onMessage(byte[])}.
     *
     * @param lastMix the address of the peer the packet came from, or null if unknown
     * @param body the message
     * @return completes when the message is handled
     */
    default CompletableFuture<Void> onMessage(byte[] lastMix, byte[] body) {
      return onMessage(body);
    }
  }

  /** Frame type of a message without acknowledgement. */
  static final int FRAME_PLAIN = 1;
  /** Frame type of a message with a reply block. */
  static final int FRAME_ACKED = 2;
  /** Frame type of an acknowledgement. */
  static final int FRAME_ACK = 3;
  /** Longest body a message with acknowledgement carries. */
  public static final int MAX_ACKED_BODY = Sphinx.MAX_MESSAGE - 3 - Sphinx.Surb.MAX_ENCODED_LENGTH;
  /** Longest body a message without acknowledgement carries. */
  public static final int MAX_PLAIN_BODY = Sphinx.MAX_MESSAGE - 1;
  /** Acknowledgements awaited at once; beyond it a send fails at once. */
  public static final int MAX_PENDING_ACKS = 4096;

  private final byte[] address;
  private final MixKeyRing keys;
  private final MixDirectory directory;
  private final MixConfig config;
  private final Link link;
  private final Scheduler scheduler;
  private final SecureRandom random;
  private final Receiver receiver;
  private final Map<String, PendingAck> pendingAcks = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Outgoing> queue = new ConcurrentLinkedQueue<>();
  /** Acknowledgements waiting for the payload stream: they leave before other real packets. */
  private final ConcurrentLinkedQueue<Outgoing> ackQueue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean rotating = new AtomicBoolean();
  private final Map<MixException.Reason, AtomicLong> drops = new EnumMap<>(MixException.Reason.class);
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong realSent = new AtomicLong();
  private final AtomicLong coverSent = new AtomicLong();
  private final AtomicLong loopsReturned = new AtomicLong();
  private final List<Scheduler.Cancellable> timers = new ArrayList<>();
  private final AtomicLong shortPaths = new AtomicLong();
  private volatile int minHops;

  /**
   * An acknowledgement awaited.
   *
   * @param secret opens the reply
   * @param done completes with the acknowledgement
   * @param to the recipient's address
   * @param left set when the packet left this node (its timer runs from then)
   */
  private record PendingAck(Sphinx.SurbSecret secret, CompletableFuture<Void> done, byte[] to,
      AtomicBoolean left) {}

  /**
   * A real packet waiting for the payload stream.
   *
   * @param firstHop where it goes first
   * @param packet the Sphinx packet
   * @param onEmit run when it leaves (starts its acknowledgement timer), or null
   */
  private record Outgoing(byte[] firstHop, byte[] packet, Runnable onEmit) {}

  /**
   * Creates a mix node; call {@link #start()} to publish its key and start its timers.
   *
   * @param address this node's address (its peer id's bytes)
   * @param config the settings
   * @param directory where mixes are found and this node's key is published
   * @param link sends packets
   * @param scheduler runs delays and timers
   * @param random key material, paths and delays
   * @param receiver gets this node's messages
   */
  public MixNode(byte[] address, MixConfig config, MixDirectory directory, Link link,
      Scheduler scheduler, SecureRandom random, Receiver receiver) {
    this(address, config, directory, link, scheduler, random, receiver,
        new MixKeyRing(random, config.tagsPerKey()));
  }

  /**
   * Creates a mix node with given keys (a {@link MixKeyRing#fixed() fixed} ring does not rotate).
   *
   * @param address this node's address (its peer id's bytes)
   * @param config the settings
   * @param directory where mixes are found and this node's key is published
   * @param link sends packets
   * @param scheduler runs delays and timers
   * @param random paths, delays and packet key material
   * @param receiver gets this node's messages
   * @param keys this node's mix keys
   */
  public MixNode(byte[] address, MixConfig config, MixDirectory directory, Link link,
      Scheduler scheduler, SecureRandom random, Receiver receiver, MixKeyRing keys) {
    this.address = address.clone();
    this.config = Objects.requireNonNull(config, "config");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.link = Objects.requireNonNull(link, "link");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.receiver = Objects.requireNonNull(receiver, "receiver");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.minHops = config.hops();
    for (MixException.Reason r : MixException.Reason.values()) {
      drops.put(r, new AtomicLong());
    }
  }

  /** Publishes the mix key and starts key rotation and, if configured, cover traffic. */
  public void start() {
    directory.publish(info());
    if (!keys.fixed()) {
      scheduleRotation(keys.keyId());
    }
    if (config.cover().on()) {
      schedulePayloadTick();
      scheduleLoopTick();
    }
  }

  /** @return this node's directory entry: address and current key */
  public MixDirectory.MixInfo info() {
    return new MixDirectory.MixInfo(address.clone(), keys.publicKey());
  }

  /** @return where this node finds mixes */
  public MixDirectory directory() {
    return directory;
  }

  /** @return the node's keys (for tests and benchmarks) */
  MixKeyRing keys() {
    return keys;
  }

  // ---------------------------------------------------------------------------------------------
  // Mixing

  /**
   * Handles one packet from the wire: forwards it after its delay, or takes it if it is for this
   * node. A bad packet is counted and dropped; nothing is thrown.
   *
   * @param packet the received bytes
   */
  public void receive(byte[] packet) {
    receive(null, packet);
  }

  /**
   * Handles one packet from the wire, naming the peer it came from (passed on to {@link
   * Receiver#onMessage(byte[], byte[])} when the packet is for this node).
   *
   * @param from the sending peer's address, or null if unknown
   * @param packet the received bytes
   * @return false if the packet is not one for this node's keys (its header MAC fails or its α
   *     is a weak key), so the bytes may be something else of that size; true otherwise
   */
  public boolean receive(byte[] from, byte[] packet) {
    if (closed.get()) {
      return true;
    }
    Sphinx.Processed p;
    try {
      p = Sphinx.process(keys, packet);
    } catch (MixException e) {
      drops.get(e.reason()).incrementAndGet();
      // only the current key's full cache calls for a rotation (not the previous key's)
      if (e.reason() == MixException.Reason.KEY_EXHAUSTED && keys.exhausted()) {
        rotateNow();
      }
      return e.reason() != MixException.Reason.BAD_MAC
          && e.reason() != MixException.Reason.WEAK_KEY;
    }
    if (keys.exhausted()) {
      rotateNow();
    }
    if (p instanceof Sphinx.Forward f) {
      forwarded.incrementAndGet();
      if (f.delayMillis() == 0) {
        emit(f.next(), f.packet());
      } else {
        scheduler.schedule(Duration.ofMillis(f.delayMillis()), () -> {
          if (!closed.get()) {
            emit(f.next(), f.packet());
          }
        });
      }
    } else if (p instanceof Sphinx.Delivered d) {
      onDelivered(from, d.message());
    } else if (p instanceof Sphinx.ReplyArrived r) {
      onReply(r);
    } else if (p instanceof Sphinx.LoopReturned) {
      loopsReturned.incrementAndGet();
    }
    return true;
  }

  private void onDelivered(byte[] from, byte[] frame) {
    if (frame.length < 1) {
      drops.get(MixException.Reason.MALFORMED).incrementAndGet();
      return;
    }
    int type = frame[0] & 0xff;
    if (type == FRAME_PLAIN) {
      delivered.incrementAndGet();
      receiver.onMessage(from, Arrays.copyOfRange(frame, 1, frame.length));
      return;
    }
    if (type != FRAME_ACKED || frame.length < 3) {
      drops.get(MixException.Reason.MALFORMED).incrementAndGet();
      return;
    }
    int n = ((frame[1] & 0xff) << 8) | (frame[2] & 0xff);
    if (n > Sphinx.Surb.MAX_ENCODED_LENGTH || 3 + n > frame.length) {
      drops.get(MixException.Reason.MALFORMED).incrementAndGet();
      return;
    }
    Sphinx.Surb surb;
    try {
      surb = Sphinx.Surb.decode(Arrays.copyOfRange(frame, 3, 3 + n));
    } catch (MixException e) {
      drops.get(e.reason()).incrementAndGet();
      return;
    }
    delivered.incrementAndGet();
    receiver.onMessage(from, Arrays.copyOfRange(frame, 3 + n, frame.length)).whenComplete((v, e) -> {
      if (e == null && !closed.get()) {
        byte[] ack = Sphinx.reply(surb, new byte[] {FRAME_ACK}, random);
        if (config.cover().on()) {
          // acknowledgements go first: the sender's timer is running
          ackQueue.add(new Outgoing(surb.firstHop(), ack, null));
        } else {
          emit(surb.firstHop(), ack);
        }
      }
    });
  }

  private void onReply(Sphinx.ReplyArrived r) {
    PendingAck pending = pendingAcks.remove(HexFormat.of().formatHex(r.surbId()));
    if (pending == null) {
      drops.get(MixException.Reason.UNKNOWN_SURB).incrementAndGet();
      return;
    }
    try {
      byte[] msg = Sphinx.openReply(pending.secret(), r);
      if (msg.length == 1 && msg[0] == FRAME_ACK) {
        pending.done().complete(null);
      } else {
        drops.get(MixException.Reason.MALFORMED).incrementAndGet();
        pending.done().completeExceptionally(new MixException(MixException.Reason.MALFORMED));
      }
    } catch (MixException e) {
      drops.get(e.reason()).incrementAndGet();
      pending.done().completeExceptionally(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  /**
   * Sends a message to a node over a random path of {@link MixConfig#hops()} mixes.
   *
   * @param to the recipient's directory entry (its address and mix key)
   * @param body the message, at most {@link #MAX_ACKED_BODY} bytes with acknowledgement, {@link
   *     #MAX_PLAIN_BODY} without
   * @param acknowledged whether to wait for an acknowledgement through a reply block
   * @return completes when acknowledged (or, without acknowledgement, when handed to the first
   *     hop); fails with {@link TimeoutException} after {@link MixConfig#ackTimeout()}, or with
   *     {@link IllegalStateException} if too few mixes are known
   */
  public CompletableFuture<Void> send(MixDirectory.MixInfo to, byte[] body, boolean acknowledged) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(body, "body");
    if (body.length > (acknowledged ? MAX_ACKED_BODY : MAX_PLAIN_BODY)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("body too long"));
    }
    List<Sphinx.Hop> path;
    try {
      path = path(to.hop());
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    byte[] frame;
    Runnable onEmit = null;
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (acknowledged) {
      if (pendingAcks.size() >= MAX_PENDING_ACKS) {
        return CompletableFuture.failedFuture(new IllegalStateException("too many acks awaited"));
      }
      List<Sphinx.Hop> back;
      try {
        // the recipient is not a mix of its own acknowledgement's path: as the last mix it would
        // send straight to this node, showing the pair on the wire
        back = path(new Sphinx.Hop(address, keys.publicKey()), to.address());
      } catch (IllegalStateException e) {
        return CompletableFuture.failedFuture(e);
      }
      Sphinx.SurbPair surb = Sphinx.createSurb(back, delays(back.size()), random);
      byte[] s = surb.surb().encode();
      frame = new byte[3 + s.length + body.length];
      frame[0] = FRAME_ACKED;
      frame[1] = (byte) (s.length >>> 8);
      frame[2] = (byte) s.length;
      System.arraycopy(s, 0, frame, 3, s.length);
      System.arraycopy(body, 0, frame, 3 + s.length, body.length);
      String id = HexFormat.of().formatHex(surb.secret().surbId());
      PendingAck mine = new PendingAck(surb.secret(), done, to.address(), new AtomicBoolean());
      pendingAcks.put(id, mine);
      // the timer starts when the packet leaves: with cover on, the wait in the payload stream
      // is the price of cover, not a sign of loss (a queue of a welcome's pieces at one packet
      // in 4 s would otherwise time out before the last piece left); the recipient's wait for
      // its own payload stream, behind the acknowledgements of this node's earlier packets to
      // it, is in ackWait(ahead)
      onEmit = () -> {
        int ahead = config.cover().on() ? leftUnacknowledged(mine.to()) : 0;
        mine.left().set(true);
        scheduler.schedule(config.ackWait(ahead), () -> {
          PendingAck p = pendingAcks.remove(id);
          if (p != null) {
            p.done().completeExceptionally(
                new TimeoutException("no acknowledgement through the mixnet"));
          }
        });
      };
    } else {
      frame = new byte[1 + body.length];
      frame[0] = FRAME_PLAIN;
      System.arraycopy(body, 0, frame, 1, body.length);
      done.complete(null);
    }
    byte[] packet = Sphinx.build(path, delays(path.size()), Sphinx.Kind.DELIVER, null, frame,
        random);
    realSent.incrementAndGet();
    if (config.cover().on()) {
      queue.add(new Outgoing(path.get(0).address(), packet, onEmit));
    } else {
      if (onEmit != null) {
        onEmit.run();
      }
      emit(path.get(0).address(), packet);
    }
    return done;
  }

  /** Packets to {@code to} that left this node and wait for their acknowledgement. */
  private int leftUnacknowledged(byte[] to) {
    int n = 0;
    for (PendingAck p : pendingAcks.values()) {
      if (p.left().get() && Arrays.equals(p.to(), to)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Sends a packet to a next hop; a packet whose next hop is this node (a reply block built by
   * another node may route through the replier) is processed here without touching the wire.
   */
  void emit(byte[] to, byte[] packet) {
    if (Arrays.equals(to, address)) {
      scheduler.schedule(Duration.ZERO, () -> receive(packet));
    } else {
      link.send(to, packet);
    }
  }

  /**
   * Lets paths be shorter than {@link MixConfig#hops()} when fewer mixes are known, down to
   * {@code min} (a small space whose members mix for each other); such sends are counted in
   * {@link #shortPaths()}.
   *
   * @param min the fewest mixes on a path, 1 to {@link MixConfig#hops()}
   */
  public void allowShortPaths(int min) {
    if (min < 1 || min > config.hops()) {
      throw new IllegalArgumentException("min hops must be 1 to " + config.hops());
    }
    minHops = min;
  }

  /** @return messages and cover packets sent over fewer than {@link MixConfig#hops()} mixes */
  public long shortPaths() {
    return shortPaths.get();
  }

  /**
   * {@code hops} distinct random mixes other than this node and the last hop (fewer, down to the
   * {@link #allowShortPaths minimum}, when fewer are known), then the last.
   */
  private List<Sphinx.Hop> path(Sphinx.Hop last) {
    return path(last, null);
  }

  /** As {@link #path(Sphinx.Hop)}, also leaving out {@code avoid} (null: nothing more). */
  private List<Sphinx.Hop> path(Sphinx.Hop last, byte[] avoid) {
    List<MixDirectory.MixInfo> all = new ArrayList<>(directory.mixes());
    all.removeIf(m -> Arrays.equals(m.address(), address) || Arrays.equals(m.address(), last.address())
        || (avoid != null && Arrays.equals(m.address(), avoid)));
    if (all.size() < minHops) {
      throw new IllegalStateException("need " + minHops + " mixes besides sender and "
          + "recipient, know " + all.size());
    }
    int hops = Math.min(config.hops(), all.size());
    if (hops < config.hops()) {
      shortPaths.incrementAndGet();
    }
    List<Sphinx.Hop> path = new ArrayList<>(hops + 1);
    for (int i = 0; i < hops; i++) {
      path.add(all.remove(random.nextInt(all.size())).hop());
    }
    path.add(last);
    return path;
  }

  /**
   * Up to {@link MixConfig#hops()} distinct random mixes other than this node and {@code avoid};
   * fewer (maybe none) when fewer are known. For key fetches ({@link MixKeys}).
   */
  List<Sphinx.Hop> someMixes(byte[] avoid) {
    List<MixDirectory.MixInfo> all = new ArrayList<>(directory.mixes());
    all.removeIf(m -> Arrays.equals(m.address(), address) || Arrays.equals(m.address(), avoid));
    List<Sphinx.Hop> path = new ArrayList<>();
    while (path.size() < config.hops() && !all.isEmpty()) {
      path.add(all.remove(random.nextInt(all.size())).hop());
    }
    return path;
  }

  /** Exponential delays with the configured mean for every hop but the last, in ms. */
  int[] delays(int n) {
    int[] d = new int[n];
    double mean = config.meanDelay().toNanos() / 1e6;
    for (int i = 0; i < n - 1; i++) {
      d[i] = (int) Math.min(Sphinx.MAX_DELAY_MILLIS, Math.round(exponential(mean)));
    }
    return d;
  }

  private double exponential(double mean) {
    return mean == 0 ? 0 : -mean * Math.log(1 - random.nextDouble());
  }

  // ---------------------------------------------------------------------------------------------
  // Cover traffic (Loopix §3: payload stream with drops, loop stream)

  private void schedulePayloadTick() {
    long nanos = Math.round(exponential(1e9 / config.cover().payloadPerSecond()));
    timer(Duration.ofNanos(nanos), () -> {
      Outgoing real = ackQueue.poll();
      if (real == null) {
        real = queue.poll();
      }
      if (real != null) {
        if (real.onEmit() != null) {
          real.onEmit().run();
        }
        emit(real.firstHop(), real.packet());
      } else {
        sendCover(Sphinx.Kind.DROP);
      }
      schedulePayloadTick();
    });
  }

  private void scheduleLoopTick() {
    long nanos = Math.round(exponential(1e9 / config.cover().loopPerSecond()));
    timer(Duration.ofNanos(nanos), () -> {
      sendCover(Sphinx.Kind.LOOP);
      scheduleLoopTick();
    });
  }

  private void sendCover(Sphinx.Kind kind) {
    try {
      Sphinx.Hop last;
      byte[] id = null;
      if (kind == Sphinx.Kind.LOOP) {
        last = new Sphinx.Hop(address, keys.publicKey());
        id = new byte[Sphinx.ID_LENGTH];
        random.nextBytes(id);
      } else {
        List<MixDirectory.MixInfo> all = new ArrayList<>(directory.mixes());
        all.removeIf(m -> Arrays.equals(m.address(), address));
        if (all.isEmpty()) {
          return;
        }
        last = all.get(random.nextInt(all.size())).hop();
      }
      List<Sphinx.Hop> path = path(last);
      emit(path.get(0).address(), Sphinx.build(path, delays(path.size()), kind, id,
          new byte[0], random));
      coverSent.incrementAndGet();
    } catch (IllegalStateException e) {
      // too few mixes known yet: no cover this tick
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Keys

  /** Rotates after {@link MixConfig#keyRotation()} unless the key {@code id} was replaced. */
  private void scheduleRotation(long id) {
    timer(config.keyRotation(), () -> {
      if (keys.keyId() == id) {
        rotate();
      }
    });
  }

  private void rotateNow() {
    if (rotating.compareAndSet(false, true)) {
      scheduler.schedule(Duration.ZERO, () -> {
        rotate();
        rotating.set(false);
      });
    }
  }

  /**
   * Makes a fresh key current, publishes it, retires the old one after the grace period and
   * schedules the next rotation.
   */
  void rotate() {
    keys.rotate();
    long id = keys.keyId();
    directory.publish(info());
    scheduler.schedule(config.keyGrace(), () -> {
      if (keys.keyId() == id) {
        keys.retirePrevious();
      }
    });
    if (!keys.fixed() && !closed.get()) {
      scheduleRotation(id);
    }
  }

  private void timer(Duration d, Runnable r) {
    if (closed.get()) {
      return;
    }
    Scheduler.Cancellable c = scheduler.schedule(d, () -> {
      if (!closed.get()) {
        r.run();
      }
    });
    synchronized (timers) {
      if (timers.size() > 16) {
        timers.remove(0);
      }
      timers.add(c);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Stats

  /**
   * Returns how many packets were dropped for a reason.
   *
   * @param reason the reason
   * @return the count
   */
  public long dropped(MixException.Reason reason) {
    return drops.get(reason).get();
  }

  /** @return packets forwarded to a next hop */
  public long forwarded() {
    return forwarded.get();
  }

  /** @return messages delivered to this node's receiver */
  public long delivered() {
    return delivered.get();
  }

  /** @return real packets this node built (messages and acknowledgements sent) */
  public long realSent() {
    return realSent.get();
  }

  /** @return loop and drop cover packets this node sent */
  public long coverSent() {
    return coverSent.get();
  }

  /** @return this node's loop packets that came back */
  public long loopsReturned() {
    return loopsReturned.get();
  }

  /** @return acknowledgements awaited now */
  public int pendingAcks() {
    return pendingAcks.size();
  }

  /** Stops timers and forwarding; awaited acknowledgements fail. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (timers) {
      for (Scheduler.Cancellable c : timers) {
        c.cancel();
      }
      timers.clear();
    }
    for (PendingAck p : pendingAcks.values()) {
      p.done().completeExceptionally(new IllegalStateException("mix node closed"));
    }
    pendingAcks.clear();
  }
}
