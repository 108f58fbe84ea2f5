package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener;
import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.PeerId;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole metrics cost of one two-member send and its delivery, in isolation: the seven events
 * the two nodes report (message sent, three step timings with their {@code System.nanoTime()}
 * pairs, copy delivered, envelope received, message received) through {@link NodeStats}, with the
 * default no-op listener and with a counting one. Compare with {@code
 * EventListenerBenchmark.sendAndDeliver}, whose wall time is too noisy on a shared machine to show
 * a difference this small. (In this package, not a {@code bench} one, because {@link NodeStats} is
 * package-private.)
 *
 * <p>Run: {@code mvn -q -pl spacepanda-sdk test-compile exec:exec@bench
 * -Dbench="NodeStatsBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NodeStatsBenchmark {

  /** The listener: the default no-op one, or one counting every event. */
  @Param({"none", "counting"})
  public String listener;

  private NodeStats sender;
  private NodeStats receiver;
  private final PeerId peer = PeerId.fromPublicKey(new byte[32]);
  private final String channelId = "00112233445566778899aabbccddeeff";

  /** Counts every event in adders. */
  static final class Counting implements NodeEventListener {
    final LongAdder events = new LongAdder();

    @Override
    public void envelopeReceived(int bytes) {
      events.increment();
    }

    @Override
    public void messageSent(String channel, int recipients) {
      events.increment();
    }

    @Override
    public void messageReceived(String channel) {
      events.increment();
    }

    @Override
    public void copyDelivered(PeerId recipient) {
      events.increment();
    }

    @Override
    public void stepCommitted(ActorKind kind, long nanos) {
      events.increment();
    }
  }

  /** Makes the two nodes' stats. */
  @Setup
  public void setUp() {
    NodeEventListener l = listener.equals("none") ? NodeEventListener.none() : new Counting();
    sender = new NodeStats(l, System::nanoTime);
    receiver = new NodeStats(l, System::nanoTime);
  }

  /**
   * Reports what one send and its delivery report.
   *
   * @return a gauge, so that nothing is optimised away
   */
  @Benchmark
  public long eventsOfOneSendAndDelivery() {
    long t = System.nanoTime();
    sender.stepCommitted(ActorKind.SPACE, System.nanoTime() - t);
    sender.messageSent(channelId, 1);
    receiver.envelopeReceived(1024);
    t = System.nanoTime();
    receiver.stepCommitted(ActorKind.SPACE, System.nanoTime() - t);
    receiver.messageReceived(channelId);
    t = System.nanoTime();
    sender.stepCommitted(ActorKind.OUTBOX, System.nanoTime() - t);
    sender.outboxBacklog.incrementAndGet();
    sender.copyDelivered(peer);
    return sender.messagesSent() + receiver.messagesReceived();
  }
}
