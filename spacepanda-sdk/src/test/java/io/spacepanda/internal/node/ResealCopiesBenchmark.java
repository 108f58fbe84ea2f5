package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.envelope.GroupEnvelope;
import io.spacepanda.internal.envelope.GroupEnvelopeKeys;
import io.spacepanda.internal.envelope.TagIndex;
import io.spacepanda.testkit.TestPeers;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
 * The copies of one 200-byte message (a 256-byte group envelope) to {@code recipients} members,
 * each resealed with its own nonce (issue 15 item 2), both ways in one run: {@code perCopy} as the
 * node did before (per copy: a JCA {@code Mac} looked up and keyed, SHA-256 of the envelope, the
 * tag index searched, the envelope opened and sealed again) and {@code resealer} ({@link
 * Resealer}: the envelope hashed and opened once, then per copy one HMAC from a keyed state and
 * one seal). Both produce the same bytes ({@code ResealerTest}). The index holds 4 epochs, the
 * matching one last. Each op makes a fresh envelope (as each message does), so the resealer's
 * ring is used as in the node: once per message.
 *
 * <p>Run: {@code -Dbench="ResealCopiesBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResealCopiesBenchmark {

  /** Copies per message: the other members of a channel of 2 or 50. */
  @Param({"1", "49"})
  public int recipients;

  private final SecureRandom random = new SecureRandom();
  private final TagIndex<Integer> tags = new TagIndex<>();
  private final byte[] resealKey = new byte[32];
  private final byte[] body = new byte[200];
  private GroupEnvelopeKeys keys;
  private PeerId[] to;
  private Resealer resealer;

  /** Fills the index and picks the recipients. */
  @Setup
  public void setUp() {
    random.nextBytes(resealKey);
    for (int i = 0; i < 4; i++) {
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      keys = GroupEnvelopeKeys.derive(secret);
      tags.put(i, keys);
    }
    to = new PeerId[recipients];
    for (int i = 0; i < recipients; i++) {
      to[i] = TestPeers.peer(i);
    }
    resealer = new Resealer(tags, resealKey::clone);
  }

  /**
   * The node's reseal before issue 15 item 2, per copy.
   *
   * @return the last copy
   * @throws Exception never
   */
  @Benchmark
  public byte[] perCopy() throws Exception {
    byte[] envelope = GroupEnvelope.seal(keys, body, random);
    byte[] last = null;
    for (PeerId p : to) {
      byte[] copy = envelope.clone();
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(resealKey, "HmacSHA256"));
      mac.update(p.bytes());
      mac.update(MessageDigest.getInstance("SHA-256").digest(copy));
      byte[] nonce = Arrays.copyOf(mac.doFinal(), 16);
      last = tags.reseal(copy, nonce).orElseThrow();
    }
    return last;
  }

  /**
   * The resealer: the envelope hashed and opened once.
   *
   * @return the last copy
   */
  @Benchmark
  public byte[] resealer() throws Exception {
    byte[] envelope = GroupEnvelope.seal(keys, body, random);
    byte[] last = null;
    for (PeerId p : to) {
      last = resealer.reseal(p, envelope.clone());
    }
    return last;
  }
}
