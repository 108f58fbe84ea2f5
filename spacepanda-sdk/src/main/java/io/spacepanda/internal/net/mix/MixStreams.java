package io.spacepanda.internal.net.mix;

import io.netty.buffer.ByteBuf;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Mix packets over libp2p streams ({@code /mix/1.0.0}, libp2p mix spec §5.5: one stream per
 * packet; reuse is left to the host): the sender opens a stream, writes exactly one packet of
 * {@value Sphinx#PACKET_LENGTH} bytes and half-closes; the receiver reads at most that many bytes,
 * hands the packet on when the sender half-closes, and resets a stream that sends more or fewer.
 * The packet has a fixed size, so there is no length prefix (the spec's protobuf framing is
 * left out: four fixed-size fields need none).
 */
public final class MixStreams {

  private MixStreams() {}

  /**
   * Serves {@value Sphinx#PROTOCOL_ID} on a host.
   *
   * @param host the host
   * @param onPacket receives each well-sized packet; called on a connection's event loop, so it
   *     must not block (a {@link MixNode#receive} of a forwarded packet only schedules)
   * @return a counter of streams reset for a wrong size
   */
  public static AtomicLong serve(Host host, Consumer<byte[]> onPacket) {
    Objects.requireNonNull(onPacket, "onPacket");
    AtomicLong wrongSize = new AtomicLong();
    host.setProtocolHandler(Sphinx.PROTOCOL_ID, (connection, stream, protocol) ->
        new Reader(onPacket, wrongSize));
    return wrongSize;
  }

  /**
   * A link that sends each packet on a new stream to the peer an address names.
   *
   * @param host the host
   * @param addresses the multiaddr (with {@code /p2p/}) of a mix address, or null if unknown
   * @param failures counts packets that could not be sent (unknown address, dial or write failure)
   * @return the link
   */
  public static MixNode.Link link(Host host, Function<byte[], Multiaddr> addresses,
      AtomicLong failures) {
    return (address, packet) -> {
      Multiaddr to = addresses.apply(address);
      if (to == null) {
        failures.incrementAndGet();
        return;
      }
      host.newStream(to, List.of(Sphinx.PROTOCOL_ID), (c, s, p) -> new Ignore())
          .thenCompose(s -> s.write(s.alloc().buffer(packet.length).writeBytes(packet))
              .thenCompose(v -> s.closeWrite()))
          .whenComplete((v, e) -> {
            if (e != null) {
              failures.incrementAndGet();
            }
          });
    };
  }

  /** Reads one packet of exactly {@value Sphinx#PACKET_LENGTH} bytes. */
  private static final class Reader implements StreamHandler {
    private final Consumer<byte[]> onPacket;
    private final AtomicLong wrongSize;
    private final byte[] packet = new byte[Sphinx.PACKET_LENGTH];
    private int filled;
    private boolean failed;

    Reader(Consumer<byte[]> onPacket, AtomicLong wrongSize) {
      this.onPacket = onPacket;
      this.wrongSize = wrongSize;
    }

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      int n = data.readableBytes();
      try {
        if (failed) {
          return;
        }
        if (filled + n > packet.length) {
          failed = true;
          wrongSize.incrementAndGet();
          stream.reset();
          return;
        }
        data.readBytes(packet, filled, n);
        filled += n;
      } finally {
        data.release();
        stream.consumed(n);
      }
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {
      if (failed) {
        return;
      }
      if (filled != packet.length) {
        wrongSize.incrementAndGet();
        stream.reset();
        return;
      }
      stream.closeWrite();
      onPacket.accept(packet);
    }

    @Override
    public void onReset(MuxedStream stream, StreamException cause) {
      failed = true;
    }
  }

  /** The sender's side reads nothing. */
  private static final class Ignore implements StreamHandler {
    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      int n = data.readableBytes();
      data.release();
      stream.consumed(n);
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {}

    @Override
    public void onReset(MuxedStream stream, StreamException cause) {}
  }
}
