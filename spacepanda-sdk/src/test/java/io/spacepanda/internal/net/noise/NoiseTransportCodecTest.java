package io.spacepanda.internal.net.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.spacepanda.internal.net.keys.IdentitySigner;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The Noise transport phase after a real XX handshake between two {@link EmbeddedChannel}s
 * (libp2p noise spec, "Wire Format": 2-byte big-endian length, then ChaChaPoly ciphertext with a
 * 16-byte tag): round trips of any plaintext, and mutated or random ciphertext frames end in a
 * {@link NoiseException} and a closed channel, never in delivered bytes or another exception type.
 */
class NoiseTransportCodecTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final class Outcome implements NoiseHandshakeHandler.Listener {
    final AtomicReference<SecureSession> session = new AtomicReference<>();

    @Override
    public void onSecured(ChannelHandlerContext ctx, SecureSession s) {
      session.set(s);
    }

    @Override
    public void onFailed(Throwable cause) {}
  }

  /** Two channels past a real handshake: [initiator, responder]. */
  private static EmbeddedChannel[] securedPair() {
    Outcome ao = new Outcome();
    Outcome bo = new Outcome();
    EmbeddedChannel a = new EmbeddedChannel(new NoiseHandshakeHandler(true,
        IdentitySigner.generateEd25519(RANDOM), RANDOM, null, List.of(), ao));
    EmbeddedChannel b = new EmbeddedChannel(new NoiseHandshakeHandler(false,
        IdentitySigner.generateEd25519(RANDOM), RANDOM, null, List.of(), bo));
    boolean moved = true;
    while (moved) {
      moved = false;
      for (EmbeddedChannel[] p : new EmbeddedChannel[][] {{a, b}, {b, a}}) {
        Object o;
        while ((o = p[0].readOutbound()) != null) {
          moved = true;
          p[1].writeInbound(o);
        }
      }
    }
    assertNotNull(ao.session.get());
    assertNotNull(bo.session.get());
    return new EmbeddedChannel[] {a, b};
  }

  private static byte[] encrypt(EmbeddedChannel from, byte[] plaintext) {
    from.writeAndFlush(Unpooled.wrappedBuffer(plaintext));
    ByteBuf all = Unpooled.buffer();
    Object o;
    while ((o = from.readOutbound()) != null) {
      all.writeBytes((ByteBuf) o);
      ((ByteBuf) o).release();
    }
    byte[] out = ByteBufUtil.getBytes(all);
    all.release();
    return out;
  }

  /** Delivers bytes; returns the plaintext that came out, or null if the channel failed. */
  private static byte[] deliver(EmbeddedChannel to, byte[] wire) {
    try {
      to.writeInbound(Unpooled.wrappedBuffer(wire));
    } catch (Exception e) {
      assertTrue(e instanceof NoiseException, () -> "untyped failure " + e);
      assertFalse(to.isOpen());
      return null;
    }
    ByteBuf all = Unpooled.buffer();
    Object o;
    while ((o = to.readInbound()) != null) {
      all.writeBytes((ByteBuf) o);
      ((ByteBuf) o).release();
    }
    byte[] out = ByteBufUtil.getBytes(all);
    all.release();
    return to.isOpen() ? out : null;
  }

  @Property(tries = 50)
  void transport_roundTrip_anyPlaintext(@ForAll @Size(max = 70_000) byte[] plaintext) {
    EmbeddedChannel[] pair = securedPair();
    assertArrayEquals(plaintext, deliver(pair[1], encrypt(pair[0], plaintext)));
    assertArrayEquals(plaintext, deliver(pair[0], encrypt(pair[1], plaintext)));
    pair[0].finishAndReleaseAll();
    pair[1].finishAndReleaseAll();
  }

  /** noise spec: a frame that does not authenticate is fatal; a longer claim only waits. */
  @Property(tries = 100)
  void mutatedCiphertext_failsTypedAndCloses_orWaits(
      @ForAll @Size(min = 1, max = 300) byte[] plaintext,
      @ForAll @IntRange(min = 0, max = 400) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor) {
    EmbeddedChannel[] pair = securedPair();
    byte[] wire = encrypt(pair[0], plaintext);
    int at = position % wire.length;
    wire[at] ^= (byte) xor;
    byte[] out = deliver(pair[1], wire);
    if (out != null) {
      // only a length prefix that now claims more than arrived leaves the channel open, waiting
      assertTrue(at < 2, "a mutated byte at " + at + " was accepted");
      assertTrue(out.length == 0, "bytes were delivered from a mutated frame");
    }
    pair[0].finishAndReleaseAll();
    pair[1].finishAndReleaseAll();
  }

  @Property(tries = 100)
  void randomFrames_neverDeliverAndFailTyped(@ForAll long seed) {
    Random random = new Random(seed);
    EmbeddedChannel[] pair = securedPair();
    int len = random.nextInt(200);
    byte[] wire = new byte[2 + len];
    random.nextBytes(wire);
    wire[0] = (byte) (len >>> 8);
    wire[1] = (byte) len;
    assertNull(deliver(pair[1], wire), "seed " + seed);
    pair[0].finishAndReleaseAll();
    pair[1].finishAndReleaseAll();
  }
}
