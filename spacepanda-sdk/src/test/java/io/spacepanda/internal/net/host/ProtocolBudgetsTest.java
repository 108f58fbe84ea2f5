package io.spacepanda.internal.net.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.autonat.AutonatMessage;
import io.spacepanda.internal.net.dcutr.HolePunchMessage;
import io.spacepanda.internal.net.host.ResourceManager.Direction;
import io.spacepanda.internal.net.host.ResourceManager.StreamScope;
import io.spacepanda.internal.net.host.ResourceManagerTest.FakeStream;
import io.spacepanda.internal.net.identify.IdentifyConstants;
import io.spacepanda.internal.net.kad.KadConfig;
import io.spacepanda.internal.net.kad.KadMessage;
import io.spacepanda.internal.net.mix.Sphinx;
import io.spacepanda.internal.net.relay.RelayConstants;
import io.spacepanda.internal.net.transport.EnvelopeProtocolConstants;
import io.spacepanda.internal.net.transport.Libp2pTransport;
import io.spacepanda.internal.net.transport.Libp2pTransportConfig;
import io.spacepanda.internal.net.transport.ProtocolBudgets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every protocol the transport's host serves registers limits of its own (issue 14): a peer that
 * exceeds one protocol's stream count, per-stream memory or message bound is refused with a typed
 * {@link ResourceLimitException}, while another protocol of the same peer keeps working.
 */
class ProtocolBudgetsTest {

  private static final String OTHER = IdentifyConstants.PROTOCOL_ID;

  static Stream<String> protocols() {
    List<String> ids = new ArrayList<>(ProtocolBudgets.network(null).keySet());
    ids.add(EnvelopeProtocolConstants.STREAM_PROTOCOL_ID);
    ids.add(EnvelopeProtocolConstants.PROTOCOL_ID);
    return ids.stream();
  }

  private static PeerId peer(int i) {
    byte[] key = new byte[32];
    key[0] = (byte) i;
    return PeerId.fromPublicKey(key);
  }

  private static ResourceManager registered() {
    Libp2pTransportConfig config = Libp2pTransportConfig.defaults();
    ResourceManager rm = ResourceManager.create(Libp2pTransport.resourceLimits(config));
    ProtocolBudgets.register(rm, config, null);
    rm.setProtocolLimits(EnvelopeProtocolConstants.PROTOCOL_ID, new ProtocolLimits(
        config.maxInboundStreamsPerConnection(), config.maxConnections() * 8, Long.MAX_VALUE,
        rm.limits().maxMemoryPerStream(), 1 << 20)); // as the transport registers it
    return rm;
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void overItsLimits_refusedTyped_whileAnotherProtocolWorks(String protocol) throws Exception {
    ResourceManager rm = registered();
    ProtocolLimits pl = rm.protocolLimits(protocol);
    assertNotEquals(ProtocolLimits.defaults(), pl, protocol + " registered limits of its own");
    // a peer that may open many connections, as an attacker would reconnect
    ResourceManager.ConnectionScope c = rm.openConnection(peer(1), Direction.INBOUND);
    List<StreamScope> open = new ArrayList<>();
    for (int i = 0; i < pl.maxInboundStreamsPerPeer(); i++) {
      open.add(rm.openStream(c, new FakeStream(), protocol, Direction.INBOUND));
    }
    ResourceLimitException streams = assertThrows(ResourceLimitException.class,
        () -> rm.openStream(c, new FakeStream(), protocol, Direction.INBOUND));
    assertEquals(ResourceLimitException.Scope.PROTOCOL, streams.scope());

    StreamScope s = open.get(0);
    ResourceLimitException message = assertThrows(ResourceLimitException.class,
        () -> s.checkMessage(pl.maxMessageBytes() + 1L));
    assertEquals(ResourceLimitException.Scope.PROTOCOL, message.scope());
    s.checkMessage(pl.maxMessageBytes());
    long perStream = Math.min(pl.maxMemoryPerStream(), rm.limits().maxMemoryPerStream());
    assertFalse(s.reserveMemory(perStream + 1), "over the per-stream memory");
    assertTrue(s.reserveMemory(Math.min(perStream, pl.maxMessageBytes())));

    // the same peer's other protocol, and another peer's streams of this one, go on
    StreamScope other = rm.openStream(c, new FakeStream(), OTHER, Direction.INBOUND);
    assertTrue(other.reserveMemory(1024));
    ResourceManager.ConnectionScope d = rm.openConnection(peer(2), Direction.INBOUND);
    rm.openStream(d, new FakeStream(), protocol, Direction.INBOUND);
    // and once a stream of the refused peer closes, it may open one again
    open.get(1).close();
    rm.openStream(c, new FakeStream(), protocol, Direction.INBOUND);
    assertEquals(1, rm.refusedStreams(protocol));
  }

  @Test
  void messageBounds_matchTheDecoders() {
    assertTrue(ProtocolBudgets.KAD.maxMessageBytes() >= KadMessage.MAX_MESSAGE_BYTES);
    assertTrue(ProtocolBudgets.KAD.maxMessageBytes() <= KadMessage.MAX_MESSAGE_BYTES + 5);
    assertTrue(ProtocolBudgets.RELAY_HOP.maxMessageBytes() <= RelayConstants.MAX_MESSAGE_BYTES + 5);
    assertTrue(ProtocolBudgets.RELAY_STOP.maxMessageBytes() <= RelayConstants.MAX_MESSAGE_BYTES + 5);
    assertTrue(ProtocolBudgets.AUTONAT.maxMessageBytes() <= AutonatMessage.MAX_MESSAGE_BYTES + 5);
    assertTrue(ProtocolBudgets.DCUTR.maxMessageBytes() <= HolePunchMessage.MAX_MESSAGE_BYTES + 5);
    assertEquals(Sphinx.PACKET_LENGTH, ProtocolBudgets.MIX.maxMessageBytes());
    assertTrue(ProtocolBudgets.network("/custom/kad").containsKey("/custom/kad"));
    assertTrue(ProtocolBudgets.network(null).containsKey(KadConfig.IPFS_PROTOCOL_ID));
  }

  @Test
  void transport_registersTheLimitsOnItsManager() {
    ResourceManager rm = ResourceManager.create(ResourceLimits.defaults());
    assertEquals(ProtocolLimits.defaults(), rm.protocolLimits(RelayConstants.HOP_PROTOCOL_ID));
    ProtocolBudgets.register(rm, Libp2pTransportConfig.defaults(), "/x/kad/1.0.0");
    assertEquals(ProtocolBudgets.RELAY_HOP, rm.protocolLimits(RelayConstants.HOP_PROTOCOL_ID));
    assertEquals(ProtocolBudgets.KAD, rm.protocolLimits("/x/kad/1.0.0"));
  }

  @Test
  void admitMessage_countsInFlightPerPeer_andReleasesOnClose() throws Exception {
    ResourceManager rm = ResourceManager.create(ResourceLimits.defaults());
    rm.setProtocolLimits("/m", new ProtocolLimits(2, 3, 1000, 400, 300));
    ResourceManager.MessageScope a1 = rm.admitMessage(peer(1), "/m", 300);
    rm.admitMessage(peer(1), "/m", 10);
    assertEquals(ResourceLimitException.Scope.PROTOCOL, assertThrows(ResourceLimitException.class,
        () -> rm.admitMessage(peer(1), "/m", 10)).scope());
    assertThrows(ResourceLimitException.class, () -> rm.admitMessage(peer(2), "/m", 301),
        "over the message bound");
    rm.admitMessage(peer(2), "/m", 10);
    assertThrows(ResourceLimitException.class, () -> rm.admitMessage(peer(3), "/m", 10),
        "protocol total");
    rm.admitMessage(peer(1), "/n", 10); // another protocol
    a1.close();
    a1.close(); // idempotent
    rm.admitMessage(peer(1), "/m", 10);
    assertEquals(3, rm.refusedStreams("/m"));
    assertEquals(30 + 10, rm.memory());
  }
}
