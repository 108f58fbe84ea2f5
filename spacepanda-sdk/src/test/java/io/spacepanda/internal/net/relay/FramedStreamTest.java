package io.spacepanda.internal.net.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamClosedException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Length-prefixed framing on a stream: round trips in any chunking, and bounded typed failures. */
class FramedStreamTest {

  /** A stream that records what is written and whether it was reset. */
  static final class FakeStream implements MuxedStream {
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    boolean reset;
    long consumed;

    @Override
    public long id() {
      return 1;
    }

    @Override
    public boolean isInitiator() {
      return true;
    }

    @Override
    public void setHandler(StreamHandler handler) {}

    @Override
    public CompletableFuture<Void> write(ByteBuf data) {
      byte[] b = new byte[data.readableBytes()];
      data.readBytes(b);
      data.release();
      written.writeBytes(b);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> closeWrite() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void reset() {
      reset = true;
    }

    @Override
    public void consumed(int bytes) {
      consumed += bytes;
    }

    @Override
    public EventExecutor executor() {
      return ImmediateEventExecutor.INSTANCE;
    }

    @Override
    public ByteBufAllocator alloc() {
      return UnpooledByteBufAllocator.DEFAULT;
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
      return new CompletableFuture<>();
    }
  }

  @Property(tries = 200)
  void messages_roundTrip_inAnyChunking(@ForAll @Size(max = 5) List<@Size(max = 300) byte[]> messages,
      @ForAll @IntRange(min = 1, max = 50) int chunk) throws Exception {
    FakeStream out = new FakeStream();
    FramedStream writer = new FramedStream(out, 4096);
    for (byte[] m : messages) {
      writer.write(m);
    }
    byte[] wire = out.written.toByteArray();
    FakeStream s = new FakeStream();
    FramedStream reader = new FramedStream(s, 4096);
    for (int off = 0; off < wire.length; off += chunk) {
      reader.onData(s, Unpooled.wrappedBuffer(wire, off, Math.min(chunk, wire.length - off)));
    }
    for (byte[] m : messages) {
      assertArrayEquals(m, reader.read().get());
    }
    assertEquals(wire.length, s.consumed);
  }

  @Property(tries = 500)
  void randomBytes_giveMessagesOrTypedFailures_withBoundedBuffering(@ForAll @Size(max = 10_000) byte[] noise,
      @ForAll @IntRange(min = 1, max = 700) int chunk, @ForAll boolean close) {
    FakeStream s = new FakeStream();
    FramedStream reader = new FramedStream(s, 256);
    List<CompletableFuture<byte[]>> reads = new ArrayList<>();
    CompletableFuture<byte[]> pending = reader.read();
    for (int off = 0; off < noise.length; off += chunk) {
      reader.onData(s, Unpooled.wrappedBuffer(noise, off, Math.min(chunk, noise.length - off)));
      while (pending.isDone() && !pending.isCompletedExceptionally()) {
        reads.add(pending);
        pending = reader.read();
      }
      assertTrue(reader.takeLeftoverSizeForTest() <= 256 + 10 + chunk, "buffer stays bounded");
    }
    if (close) {
      reader.onRemoteClose(s);
    }
    for (CompletableFuture<byte[]> r : reads) {
      assertTrue(r.join().length <= 256);
    }
    if (pending.isCompletedExceptionally()) {
      try {
        pending.get();
      } catch (ExecutionException e) {
        assertTrue(e.getCause() instanceof RelayException || e.getCause() instanceof StreamClosedException,
            e.getCause().toString());
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
