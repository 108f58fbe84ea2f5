package io.spacepanda.internal.net.transport;

import io.spacepanda.PeerId;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportIdentity;
import io.spacepanda.spi.TransportListener;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Identities, contexts and a short-timeout configuration for libp2p transport tests. */
final class TransportFixtures {

  static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";
  static final SecureRandom RANDOM = new SecureRandom();

  private TransportFixtures() {}

  /** An Ed25519 identity that signs, as a node's key store provides it. */
  static final class TestIdentity implements TransportIdentity {
    private final Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(RANDOM);

    @Override
    public byte[] publicKey() {
      return key.generatePublicKey().getEncoded();
    }

    @Override
    public byte[] sign(byte[] data) {
      Ed25519Signer s = new Ed25519Signer();
      s.init(true, key);
      s.update(data, 0, data.length);
      return s.generateSignature();
    }

    PeerId peer() {
      return PeerId.fromPublicKey(publicKey());
    }
  }

  static TransportContext context(TransportListener listener, List<String> bootstrap) {
    TestIdentity id = new TestIdentity();
    return new TransportContext(id.peer(), id, List.of(LOOPBACK), bootstrap, listener);
  }

  static Libp2pTransportConfig shortTimeouts() {
    return Libp2pTransportConfig.defaults()
        .withDialTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
        .withStreamTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));
  }

  /** Returns whether a network or timer thread that is not in {@code before} is alive. */
  static boolean transportThreadsAlive(java.util.Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.isAlive() && !before.contains(t)
            && (t.getName().startsWith("spacepanda-net")
                || t.getName().startsWith("spacepanda-transport-timer")));
  }
}
