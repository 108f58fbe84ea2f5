package io.spacepanda;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.spi.StorageException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Reports one node's gauges and events to Micrometer.
 *
 * <p>Micrometer ({@code io.micrometer:micrometer-core}) is an optional dependency of the SDK: only
 * this class uses it, and an application that does not touch it needs no Micrometer on its class
 * or module path. Use it in three steps:
 *
 * <pre>{@code
 * SpacePandaMeterBinder meters = new SpacePandaMeterBinder(Tags.of("node", "alice"));
 * SpacePanda node = SpacePanda.builder().eventListener(meters.eventListener()).build();
 * meters.node(node);
 * meters.bindTo(registry);
 * }</pre>
 *
 * <p>Meters (in Prometheus, dots become underscores, counters end in {@code _total} and the timer
 * gives {@code spacepanda_steps_seconds_count} and {@code _sum}):
 * <ul>
 *   <li>gauges read from {@link SpacePanda#metrics()}: {@code spacepanda.peers.connected},
 *       {@code spacepanda.outbox.backlog}, {@code spacepanda.envelopes.held}, {@code
 *       spacepanda.sync.gaps}, {@code spacepanda.spaces}; and the counters {@code
 *       spacepanda.messages.sent} and {@code spacepanda.messages.received};
 *   <li>counters fed by {@link #eventListener()}: {@code spacepanda.envelopes.received} and
 *       {@code spacepanda.envelopes.received.bytes}, {@code spacepanda.envelopes.dropped} tagged
 *       {@code reason} (one of {@link DropReason}, lower case), {@code
 *       spacepanda.envelopes.holds}, {@code spacepanda.copies.delivered}, {@code
 *       spacepanda.copies.failed} tagged {@code outcome} ({@code retry} or {@code gave_up}),
 *       {@code spacepanda.peers.connections}, {@code spacepanda.peers.losses}, {@code
 *       spacepanda.storage.failures}; and the timer {@code spacepanda.steps} tagged {@code actor}
 *       ({@link ActorKind}, lower case).
 * </ul>
 *
 * <p>The listener counts into adders of its own, and {@link #bindTo} registers function meters
 * that read them, so events before binding are not lost and one binder may be bound to several
 * registries. Before {@link #node} is called the gauges read 0. Thread-safe.
 */
public final class SpacePandaMeterBinder implements MeterBinder {

  private final Tags tags;
  private final Events events = new Events();
  private volatile SpacePanda node;

  /** Creates a binder whose meters have no extra tags. */
  public SpacePandaMeterBinder() {
    this(Tags.empty());
  }

  /**
   * Creates a binder that adds tags to every meter, for example the node's name.
   *
   * @param tags the tags
   */
  public SpacePandaMeterBinder(Iterable<Tag> tags) {
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  /**
   * Returns the listener that feeds this binder's counters and timer; pass it to {@link
   * SpacePanda.Builder#eventListener}. It is allocation-free and lock-free per event.
   *
   * @return the listener, the same on every call
   */
  public NodeEventListener eventListener() {
    return events;
  }

  /**
   * Sets the node whose gauges ({@link SpacePanda#metrics()}) this binder reports.
   *
   * @param value the node, built with {@link #eventListener()} as its event listener
   * @return this binder
   * @throws IllegalStateException if a node was set before
   */
  public SpacePandaMeterBinder node(SpacePanda value) {
    Objects.requireNonNull(value, "node");
    synchronized (this) {
      if (node != null) {
        throw new IllegalStateException("node was already set to " + node);
      }
      node = value;
    }
    return this;
  }

  /**
   * Registers this binder's meters with a registry.
   *
   * @param registry the registry
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    gauge(registry, "spacepanda.peers.connected", "peers the transport is connected to",
        m -> m.connectedPeers());
    gauge(registry, "spacepanda.outbox.backlog", "envelope copies not yet acknowledged",
        m -> m.outboxBacklog());
    gauge(registry, "spacepanda.envelopes.held", "inbound envelopes kept to try again",
        m -> m.heldEnvelopes());
    gauge(registry, "spacepanda.sync.gaps", "groups with history gaps waiting for sync",
        m -> m.syncGaps());
    gauge(registry, "spacepanda.spaces", "spaces this node is a member of",
        m -> m.spaces());
    FunctionCounter.builder("spacepanda.messages.sent", this, b -> b.read(NodeMetrics::messagesSent))
        .description("channel messages sent").tags(tags).register(registry);
    FunctionCounter.builder("spacepanda.messages.received", this,
            b -> b.read(NodeMetrics::messagesReceived))
        .description("channel messages received and stored").tags(tags).register(registry);
    counter(registry, "spacepanda.envelopes.received", "envelopes from the transport", null,
        events.received);
    FunctionCounter.builder("spacepanda.envelopes.received.bytes", events.receivedBytes,
            LongAdder::doubleValue)
        .description("bytes of envelopes from the transport").baseUnit("bytes").tags(tags)
        .register(registry);
    for (DropReason r : DropReason.values()) {
      counter(registry, "spacepanda.envelopes.dropped", "inbound envelopes dropped",
          Tag.of("reason", lower(r)), events.dropped[r.ordinal()]);
    }
    counter(registry, "spacepanda.envelopes.holds", "inbound envelopes held for later", null,
        events.holds);
    counter(registry, "spacepanda.copies.delivered", "envelope copies acknowledged", null,
        events.delivered);
    counter(registry, "spacepanda.copies.failed", "envelope copies failed",
        Tag.of("outcome", "retry"), events.retried);
    counter(registry, "spacepanda.copies.failed", "envelope copies failed",
        Tag.of("outcome", "gave_up"), events.gaveUp);
    counter(registry, "spacepanda.peers.connections", "connections to peers", null,
        events.connections);
    counter(registry, "spacepanda.peers.losses", "peers whose last connection was lost", null,
        events.losses);
    counter(registry, "spacepanda.storage.failures", "storage failures", null,
        events.storageFailures);
    for (ActorKind k : ActorKind.values()) {
      Events.StepTotals s = events.steps[k.ordinal()];
      FunctionTimer.builder("spacepanda.steps", s, t -> t.count.sum(),
              t -> t.nanos.sum(), TimeUnit.NANOSECONDS)
          .description("actor steps, their work and storage transaction")
          .tags(tags).tag("actor", lower(k)).register(registry);
    }
  }

  private void gauge(MeterRegistry registry, String name, String description,
      ToDoubleFunction<NodeMetrics> f) {
    Gauge.builder(name, this, b -> b.gauge(f)).description(description).tags(tags)
        .strongReference(true).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description, Tag tag,
      LongAdder adder) {
    FunctionCounter.Builder<LongAdder> b = FunctionCounter.builder(name, adder,
        LongAdder::doubleValue).description(description).tags(tags);
    if (tag != null) {
      b.tags(Tags.of(tag));
    }
    b.register(registry);
  }

  private double gauge(ToDoubleFunction<NodeMetrics> f) {
    SpacePanda n = node;
    return n == null ? 0 : f.applyAsDouble(n.metrics());
  }

  private double read(ToLongFunction<NodeMetrics> f) {
    SpacePanda n = node;
    return n == null ? 0 : f.applyAsLong(n.metrics());
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "SpacePandaMeterBinder" + tags;
  }

  /** The listener: one adder per counter, no allocation per event. */
  private static final class Events implements NodeEventListener {

    /** Steps of one actor kind: how many, and their total time. */
    static final class StepTotals {
      final LongAdder count = new LongAdder();
      final LongAdder nanos = new LongAdder();
    }

    final LongAdder received = new LongAdder();
    final LongAdder receivedBytes = new LongAdder();
    final LongAdder[] dropped = adders(DropReason.values().length);
    final LongAdder holds = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder retried = new LongAdder();
    final LongAdder gaveUp = new LongAdder();
    final LongAdder connections = new LongAdder();
    final LongAdder losses = new LongAdder();
    final LongAdder storageFailures = new LongAdder();
    final StepTotals[] steps = new StepTotals[ActorKind.values().length];

    Events() {
      for (int i = 0; i < steps.length; i++) {
        steps[i] = new StepTotals();
      }
    }

    private static LongAdder[] adders(int n) {
      LongAdder[] a = new LongAdder[n];
      for (int i = 0; i < n; i++) {
        a[i] = new LongAdder();
      }
      return a;
    }

    @Override
    public void envelopeReceived(int bytes) {
      received.increment();
      receivedBytes.add(bytes);
    }

    @Override
    public void envelopeDropped(DropReason reason) {
      dropped[reason.ordinal()].increment();
    }

    @Override
    public void envelopeHeld() {
      holds.increment();
    }

    @Override
    public void copyDelivered(PeerId recipient) {
      delivered.increment();
    }

    @Override
    public void copyFailed(PeerId recipient, int attempts, boolean willRetry) {
      (willRetry ? retried : gaveUp).increment();
    }

    @Override
    public void peerConnected(PeerId peer) {
      connections.increment();
    }

    @Override
    public void peerLost(PeerId peer) {
      losses.increment();
    }

    @Override
    public void stepCommitted(ActorKind kind, long nanos) {
      StepTotals s = steps[kind.ordinal()];
      s.count.increment();
      s.nanos.add(nanos);
    }

    @Override
    public void storageFailed(String operation, StorageException cause) {
      storageFailures.increment();
    }

    @Override
    public String toString() {
      return "SpacePandaMeterBinder.eventListener()";
    }
  }
}
