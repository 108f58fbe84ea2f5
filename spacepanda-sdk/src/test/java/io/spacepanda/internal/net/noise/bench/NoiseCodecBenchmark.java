package io.spacepanda.internal.net.noise.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.spacepanda.internal.net.noise.NoiseCodecPair;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Noise transport codec on one thread, current against the pre-issue-15 one in the same run:
 * {@code writes} buffers of {@code size} bytes written, then one flush, the output fed to the
 * receiving codec and every decrypted buffer released. {@code writes=8,size=40} is what a burst
 * of small Yamux frames (headers, window updates, acks) looks like; {@code writes=1,size=65536}
 * is bulk data. The time per op is CPU, as nothing waits.
 *
 * <p>Run: {@code -Dbench="NoiseCodecBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NoiseCodecBenchmark {

  /** {@code current} or {@code previous} (main before issue 15). */
  @Param({"current", "previous"})
  public String codec;

  /** Buffers written before the flush. */
  @Param({"8", "1"})
  public int writes;

  /** Bytes per buffer. */
  @Param({"40", "65536"})
  public int size;

  private NoiseCodecPair pair;
  private byte[] data;

  /** Builds the channels. */
  @Setup(Level.Trial)
  public void setUp() {
    pair = new NoiseCodecPair("previous".equals(codec));
    data = new byte[size];
  }

  /** Closes the channels. */
  @TearDown(Level.Trial)
  public void tearDown() {
    pair.sender.finishAndReleaseAll();
    pair.receiver.finishAndReleaseAll();
  }

  /**
   * Writes, flushes, and decrypts on the other side.
   *
   * @return bytes received
   */
  @Benchmark
  public int writeFlushRead() {
    for (int i = 0; i < writes; i++) {
      ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(size);
      b.writeBytes(data);
      pair.sender.write(b);
    }
    pair.sender.flush();
    int received = 0;
    Object o;
    while ((o = pair.sender.readOutbound()) != null) {
      pair.receiver.writeInbound(o);
    }
    while ((o = pair.receiver.readInbound()) != null) {
      received += ((ByteBuf) o).readableBytes();
      ((ByteBuf) o).release();
    }
    if (received != writes * size) {
      throw new IllegalStateException("received " + received);
    }
    return received;
  }
}
