package io.spacepanda.internal.net.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.StreamCollector;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Bulk throughput over 127.0.0.1: 8 MiB through one Yamux stream of a Noise-secured Java host
 * connection, next to 8 MiB over a plain TCP socket. MiB/s = 8 / (seconds per operation).
 * The js-to-js figure comes from {@code JsPeerTest}'s echo run ({@code mibPerSecond}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LoopbackThroughputBenchmark {

  private static final String SINK = "/spacepanda/bench-sink/1.0.0";
  private static final int TOTAL = 8 * 1024 * 1024;
  private static final int CHUNK = 64 * 1024;

  private final byte[] chunk = new byte[CHUNK];
  private Host server;
  private Host client;
  private Connection connection;
  private ServerSocket rawServer;
  private Socket raw;
  private Thread rawSink;

  /** Starts two hosts and a raw TCP sink, all on loopback. */
  @Setup
  public void setup() throws Exception {
    SecureRandom random = new SecureRandom();
    random.nextBytes(chunk);
    server = Host.builder().identity(IdentitySigner.generateEd25519(random)).muxer(new YamuxMuxerFactory()).build();
    client = Host.builder().identity(IdentitySigner.generateEd25519(random)).muxer(new YamuxMuxerFactory()).build();
    server.setProtocolHandler(SINK, (c, s, p) -> new StreamHandler() {
      @Override
      public void onData(MuxedStream stream, ByteBuf data) {
        int n = data.readableBytes();
        data.release();
        stream.consumed(n);
      }

      @Override
      public void onRemoteClose(MuxedStream stream) {
        stream.closeWrite();
      }

      @Override
      public void onReset(MuxedStream stream, StreamException cause) {}
    });
    server.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
    connection = client.dial(server.fullListenAddresses().get(0)).get(10, TimeUnit.SECONDS);

    rawServer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    rawSink = new Thread(() -> {
      try (Socket s = rawServer.accept()) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[CHUNK];
        long got = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
          got += n;
          if (got % TOTAL == 0) {
            out.write(1);
          }
        }
      } catch (Exception e) {
        // the benchmark closed the socket
      }
    }, "raw-sink");
    rawSink.start();
    raw = new Socket(InetAddress.getLoopbackAddress(), rawServer.getLocalPort());
    raw.setTcpNoDelay(true);
  }

  /** Stops everything started in setup. */
  @TearDown
  public void tearDown() throws Exception {
    raw.close();
    rawServer.close();
    rawSink.join(5000);
    client.close();
    server.close();
  }

  /**
   * Sends 8 MiB over a new Yamux stream and waits until the peer has read it all.
   *
   * @return the peer's (empty) reply
   */
  @Benchmark
  public byte[] yamuxStream8MiB() throws Exception {
    StreamCollector done = new StreamCollector();
    MuxedStream s = connection.openStream(List.of(SINK), done).get(10, TimeUnit.SECONDS);
    for (int sent = 0; sent < TOTAL; sent += CHUNK) {
      s.write(Unpooled.wrappedBuffer(chunk)).get(10, TimeUnit.SECONDS);
    }
    s.closeWrite();
    return done.done().get(30, TimeUnit.SECONDS);
  }

  /**
   * Sends 8 MiB over a plain TCP socket and waits for the sink's acknowledgement byte.
   *
   * @return the acknowledgement byte
   */
  @Benchmark
  public int rawTcp8MiB() throws Exception {
    OutputStream out = raw.getOutputStream();
    for (int sent = 0; sent < TOTAL; sent += CHUNK) {
      out.write(chunk);
    }
    out.flush();
    return raw.getInputStream().read();
  }
}
