package io.spacepanda.internal.net.mix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportException;
import io.spacepanda.spi.TransportIdentity;
import io.spacepanda.spi.TransportListener;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The mix transport's edges: fail closed, direct sends at DIRECT, inbound of either kind. */
class MixTransportTest {

  private final SecureRandom random = new SecureRandom();
  private final List<byte[]> innerSent = new ArrayList<>();
  private final List<byte[]> delivered = new ArrayList<>();
  private TransportContext innerContext;

  private MixTransport create(boolean mixedSends) {
    IdentityKey id = IdentityKey.generate(random);
    Transport.Factory inner = ctx -> {
      innerContext = ctx;
      return new Transport() {
        @Override
        public CompletableFuture<Void> start() {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public List<String> listenAddresses() {
          return List.of();
        }

        @Override
        public void addPeerAddress(PeerId peer, String address) {}

        @Override
        public CompletableFuture<Void> send(PeerId recipient, byte[] envelope) {
          innerSent.add(envelope);
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public Set<PeerId> connectedPeers() {
          return Set.of();
        }

        @Override
        public void close() {}
      };
    };
    TransportListener listener = (peer, envelope) -> {
      delivered.add(envelope);
      return CompletableFuture.completedFuture(null);
    };
    TransportIdentity identity = new TransportIdentity() {
      @Override
      public byte[] publicKey() {
        return id.publicKey();
      }

      @Override
      public byte[] sign(byte[] data) {
        return id.sign(data);
      }
    };
    MixTransport.Factory f = new MixTransport.Factory(inner, new MixTransport.Settings(
        mixedSends, false, MixConfig.defaults(), MixTransport.Settings.DEFAULT_DISCOVERY,
        List.of()));
    assertThrows(UnsupportedOperationException.class,
        () -> f.create(new TransportContext(id.peerId(), identity, List.of(), List.of(), listener)));
    Scheduler scheduler = (d, task) -> () -> true;
    return f.create(new TransportContext(id.peerId(), identity, List.of(), List.of(), listener),
        id.exportSeed().exportSecret(), Set::of, scheduler, random, Clock.systemUTC());
  }

  @Test
  void mixed_noMixKnown_failsClosed_nothingSentDirectly() throws Exception {
    MixTransport t = create(true);
    PeerId bob = IdentityKey.generate(random).peerId();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> t.send(bob, new byte[300]).get());
    assertInstanceOf(TransportException.class, e.getCause());
    assertEquals(0, innerSent.size(), "no fallback to a direct send");
    ExecutionException tooLong = assertThrows(ExecutionException.class,
        () -> t.send(bob, new byte[Fragments.MAX_ENVELOPE + 1]).get());
    assertInstanceOf(TransportException.class, tooLong.getCause());
    t.close();
  }

  @Test
  void direct_sendsStraightThrough() throws Exception {
    MixTransport t = create(false);
    byte[] env = new byte[300];
    random.nextBytes(env);
    t.send(IdentityKey.generate(random).peerId(), env).get();
    assertEquals(1, innerSent.size());
    assertArrayEquals(env, innerSent.get(0));
    t.close();
  }

  @Test
  void inbound_envelopesOfAnySizeThatAreNoPacketReachTheNode() throws Exception {
    MixTransport t = create(true);
    PeerId peer = IdentityKey.generate(random).peerId();
    byte[] small = new byte[300];
    byte[] packetSized = new byte[Sphinx.PACKET_LENGTH];
    random.nextBytes(packetSized);
    innerContext.listener().onEnvelope(peer, small).get();
    innerContext.listener().onEnvelope(peer, packetSized).get();
    assertEquals(2, delivered.size());
    assertArrayEquals(packetSized, delivered.get(1));
    assertTrue(t.mixNode().dropped(MixException.Reason.BAD_MAC)
        + t.mixNode().dropped(MixException.Reason.WEAK_KEY) == 1);
    t.close();
  }
}
