package io.spacepanda.internal.net.yamux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.spacepanda.internal.net.stream.StreamException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Random and hostile frames fed to a listening Yamux session on an {@link EmbeddedChannel}
 * (yamux spec, "Framing" and "Flow Control"): the session either accepts them or ends with a
 * typed {@link StreamException} and a closed channel, never an untyped exception or an Error, and
 * never allocates for a payload more than what arrived, whatever length a header claims.
 */
class YamuxSessionFuzzTest {

  /** Records the largest buffer the channel asked for. */
  static final class CountingAllocator extends AbstractByteBufAllocator {
    final AtomicInteger largest = new AtomicInteger();

    CountingAllocator() {
      super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      largest.accumulateAndGet(initialCapacity, Math::max);
      return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      largest.accumulateAndGet(initialCapacity, Math::max);
      return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }

  private static EmbeddedChannel listener(CountingAllocator alloc, YamuxSession session) {
    EmbeddedChannel ch = new EmbeddedChannel(null, io.netty.channel.DefaultChannelId.newInstance(), false, false);
    ch.config().setAllocator(alloc);
    ch.pipeline().addLast(session);
    try {
      ch.register();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return ch;
  }

  private static YamuxSession session() {
    return new YamuxSession(false, s -> s.setHandler(new RecordingHandler(true)), YamuxConfig.defaults());
  }

  /** Feeds bytes; checks the typed outcome. Returns the bytes fed. */
  private static int feed(EmbeddedChannel ch, YamuxSession session, byte[]... pieces) {
    int fed = 0;
    for (byte[] piece : pieces) {
      if (ch.isOpen()) {
        ch.writeInbound(Unpooled.wrappedBuffer(piece)); // throws if anything escapes the pipeline
        fed += piece.length;
      }
    }
    if (session.closeFuture().isCompletedExceptionally()) {
      Throwable cause = session.closeFuture().handle((v, e) -> e).join();
      assertTrue(cause instanceof StreamException, () -> "untyped failure " + cause);
      assertFalse(ch.isOpen());
    }
    ch.finishAndReleaseAll();
    return fed;
  }

  /** yamux spec "Framing": a data header may claim any 32-bit length; the window refuses it first. */
  @Property(tries = 500)
  void dataHeader_claimingUpTo2Pow32_refusedBeforeAllocating(
      @ForAll @LongRange(min = 0, max = 0xFFFF_FFFFL) long claimed,
      @ForAll @IntRange(min = 0, max = 15) int flags,
      @ForAll @LongRange(min = 0, max = 0xFFFF_FFFFL) long streamId,
      @ForAll @IntRange(min = 0, max = 2048) int bodyBytes) {
    CountingAllocator alloc = new CountingAllocator();
    YamuxSession session = session();
    EmbeddedChannel ch = listener(alloc, session);
    ByteBuf header = Unpooled.buffer(12);
    header.writeByte(0).writeByte(YamuxConstants.TYPE_DATA).writeShort(flags)
        .writeInt((int) streamId).writeInt((int) claimed);
    int fed = feed(ch, session, toBytes(header), new byte[bodyBytes]);
    assertTrue(alloc.largest.get() <= Math.max(4096, 2 * fed),
        "allocated " + alloc.largest.get() + " after " + fed + " bytes claiming " + claimed);
  }

  /** Random frames with valid headers in random order (yamux spec: every type and flag). */
  @Property(tries = 300)
  void randomFrameSequences_typedOutcomeAndBoundedAllocation(@ForAll long seed) {
    Random random = new Random(seed);
    CountingAllocator alloc = new CountingAllocator();
    YamuxSession session = session();
    EmbeddedChannel ch = listener(alloc, session);
    int frames = 1 + random.nextInt(40);
    byte[][] pieces = new byte[frames][];
    for (int i = 0; i < frames; i++) {
      int type = random.nextInt(5); // 4 is not a type
      int length = random.nextBoolean() ? random.nextInt(300) : random.nextInt();
      int streamId = random.nextBoolean() ? 1 + 2 * random.nextInt(4) : random.nextInt();
      ByteBuf f = Unpooled.buffer();
      f.writeByte(random.nextInt(10) == 0 ? 1 : 0).writeByte(type).writeShort(random.nextInt(16))
          .writeInt(streamId).writeInt(length);
      if (type == YamuxConstants.TYPE_DATA && length >= 0 && length < 300) {
        byte[] body = new byte[length];
        random.nextBytes(body);
        f.writeBytes(body);
      }
      pieces[i] = toBytes(f);
    }
    int fed = feed(ch, session, pieces);
    assertTrue(alloc.largest.get() <= Math.max(4096, 2 * fed), "seed " + seed);
  }

  private static byte[] toBytes(ByteBuf b) {
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    b.release();
    return out;
  }
}
