package io.spacepanda.internal.space.bench;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.internal.space.ChannelId;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.SpaceDecodeException;
import io.spacepanda.internal.space.SpaceId;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.internal.space.SpaceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * Cost of the space metadata state: rebuilding it from a log (what a restart, a joiner and every
 * late operation pay) and decoding one operation.
 *
 * <p>Run: {@code mvn -q -pl spacepanda-sdk test-compile exec:exec@bench
 * -Dbench="SpaceStateBenchmark -f 1 -wi 2 -i 3"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SpaceStateBenchmark {

  /** Operations in the log. */
  @Param({"1000", "8000"})
  public int operations;

  private SpaceId space;
  private PeerId owner;
  private List<SpaceOp> log;
  private byte[] encodedOp;

  /** Builds a log: members admitted, channels created and renamed, roles set, some leaving. */
  @Setup
  public void setUp() {
    Random rnd = new Random(1);
    space = SpaceId.of(bytes(rnd, 16));
    owner = PeerId.fromPublicKey(bytes(rnd, 32));
    SpaceState s = new SpaceState(space, owner);
    List<PeerId> members = new ArrayList<>();
    List<ChannelId> channels = new ArrayList<>();
    while (s.log().size() < operations) {
      int what = rnd.nextInt(10);
      SpaceOp.Body body;
      if (what < 3 || members.size() < 5) {
        PeerId p = PeerId.fromPublicKey(bytes(rnd, 32));
        members.add(p);
        body = new SpaceOp.MemberJoined(
            new Contact(p, bytes(rnd, 32), List.of("/ip4/10.0.0.1/tcp/4001")));
      } else if (what < 5 || channels.isEmpty()) {
        ChannelId c = ChannelId.of(bytes(rnd, 16));
        channels.add(c);
        body = new SpaceOp.CreateChannel(c, "channel-" + channels.size(), 0);
      } else if (what < 8) {
        body = new SpaceOp.RenameChannel(channels.get(rnd.nextInt(channels.size())),
            "renamed-" + rnd.nextInt(1000));
      } else if (what < 9) {
        body = new SpaceOp.SetRole(members.get(rnd.nextInt(members.size())), Role.ADMIN);
      } else {
        PeerId p = members.get(rnd.nextInt(members.size()));
        body = s.removalOf(p).isPresent() ? s.removalOf(p).get() : new SpaceOp.RenameSpace("x");
      }
      s.apply(s.newOp(owner, body));
    }
    log = s.log();
    encodedOp = log.get(log.size() / 2).encode();
  }

  private static byte[] bytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  /** Rebuilds the state from the whole log. */
  @Benchmark
  public SpaceView replay() {
    return SpaceState.of(space, owner, log).view();
  }

  /** Decodes one operation. */
  @Benchmark
  public SpaceOp decodeOp() throws SpaceDecodeException {
    return SpaceOp.decode(encodedOp);
  }
}
