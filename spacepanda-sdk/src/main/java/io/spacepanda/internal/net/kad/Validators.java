package io.spacepanda.internal.net.kad;

import io.spacepanda.internal.net.keys.KeyDecodeException;
import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import io.spacepanda.internal.net.record.PeerRecord;
import io.spacepanda.internal.net.record.RecordException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The record namespaces this DHT stores, and their keys.
 *
 * <ul>
 *   <li>{@code /pk/<peer id bytes>}: a libp2p public key in protobuf form, as go and js validate
 *       it (the rest of the key must be the peer id multihash of that key: identity for Ed25519,
 *       SHA-256 for larger keys).
 *   <li>{@code /sp/pr/<peer id bytes>}: a signed peer record (RFC 0003) of that peer; the highest
 *       sequence number wins.
 *   <li>{@code /sp/rv/<32 bytes>}: an opaque, encrypted rendezvous value whose first 8 bytes are its
 *       expiry (big-endian epoch milliseconds), at most {@link #MAX_RENDEZVOUS_LIFETIME_MILLIS}
 *       ahead and at most {@link #MAX_RENDEZVOUS_BYTES} long; the latest expiry wins.
 * </ul>
 */
public final class Validators {

  /** Largest rendezvous value. */
  public static final int MAX_RENDEZVOUS_BYTES = 8192;

  /** Furthest a rendezvous value may set its expiry (48 hours). */
  public static final long MAX_RENDEZVOUS_LIFETIME_MILLIS = 48L * 3600 * 1000;

  private static final byte[] PK = "/pk/".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PR = "/sp/pr/".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RV = "/sp/rv/".getBytes(StandardCharsets.US_ASCII);

  private Validators() {}

  /**
   * Returns the validators by key prefix.
   *
   * @return {@code /pk/}, {@code /sp/pr/} and {@code /sp/rv/}
   */
  public static Map<String, RecordValidator> defaults() {
    Map<String, RecordValidator> m = new HashMap<>();
    m.put("/pk/", new PublicKeyValidator());
    m.put("/sp/pr/", new PeerRecordValidator());
    m.put("/sp/rv/", new RendezvousValidator());
    return m;
  }

  /**
   * Returns the validator for a key.
   *
   * @param validators validators by prefix
   * @param key the key
   * @return the validator
   * @throws KadException when no namespace matches
   */
  static RecordValidator forKey(Map<String, RecordValidator> validators, byte[] key) throws KadException {
    for (Map.Entry<String, RecordValidator> e : validators.entrySet()) {
      if (startsWith(key, e.getKey().getBytes(StandardCharsets.US_ASCII))) {
        return e.getValue();
      }
    }
    throw new KadException("no validator for the record's namespace");
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * Returns the {@code /pk/} key of a public key.
   *
   * @param encodedKey the key's libp2p protobuf form
   * @return {@code /pk/} followed by the key's peer id multihash
   * @throws IllegalArgumentException when the bytes are not a valid key
   */
  public static byte[] publicKeyKey(byte[] encodedKey) {
    try {
      return concat(PK, Libp2pPublicKey.decode(encodedKey).peerIdMultihash());
    } catch (KeyDecodeException e) {
      throw new IllegalArgumentException("not a libp2p public key", e);
    }
  }

  /**
   * Returns the {@code /sp/pr/} key of a peer.
   *
   * @param peerIdBytes the peer id multihash
   * @return the key
   */
  public static byte[] peerRecordKey(byte[] peerIdBytes) {
    return concat(PR, peerIdBytes);
  }

  /**
   * Returns the {@code /sp/rv/} key for a 32-byte rendezvous tag.
   *
   * @param tag 32 bytes derived by the members
   * @return the key
   */
  public static byte[] rendezvousKey(byte[] tag) {
    if (tag.length != 32) {
      throw new IllegalArgumentException("rendezvous tag must be 32 bytes");
    }
    return concat(RV, tag);
  }

  /**
   * Returns the provider key under which the nodes offering a service announce themselves
   * ({@link KadDht#provide}) and are found ({@link KadDht#findProviders}), for example the
   * opted-in mixes with {@code serviceKey("mix/1")}: the SHA-256 multihash of {@code
   * /sp/service/<name>}.
   *
   * @param name the service name
   * @return the key
   */
  public static byte[] serviceKey(String name) {
    return sha256Multihash(("/sp/service/" + name).getBytes(StandardCharsets.UTF_8));
  }

  static byte[] sha256Multihash(byte[] data) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(data);
      byte[] out = new byte[34];
      out[0] = 0x12;
      out[1] = 0x20;
      System.arraycopy(d, 0, out, 2, 32);
      return out;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** {@code /pk/}: the value is a public key whose peer id multihash is the rest of the key. */
  static final class PublicKeyValidator implements RecordValidator {
    @Override
    public void validate(byte[] key, byte[] value, long nowMillis) throws KadException {
      byte[] hash = Arrays.copyOfRange(key, PK.length, key.length);
      Libp2pPublicKey pub;
      try {
        pub = Libp2pPublicKey.decode(value);
      } catch (KeyDecodeException e) {
        throw new KadException("/pk/ value is not a public key", e);
      }
      if (!Arrays.equals(hash, pub.peerIdMultihash())) {
        throw new KadException("/pk/ key does not match the key's hash");
      }
    }

    @Override
    public int select(byte[] key, List<byte[]> values) {
      return 0;
    }
  }

  /** {@code /sp/pr/}: a signed peer record of the peer the key names; highest seq wins. */
  static final class PeerRecordValidator implements RecordValidator {
    @Override
    public void validate(byte[] key, byte[] value, long nowMillis) throws KadException {
      PeerRecord r = open(value);
      if (!Arrays.equals(r.peerId().bytes(), Arrays.copyOfRange(key, PR.length, key.length))) {
        throw new KadException("/sp/pr/ record names another peer than its key");
      }
    }

    private static PeerRecord open(byte[] value) throws KadException {
      try {
        return PeerRecord.verify(value);
      } catch (RecordException e) {
        throw new KadException("/sp/pr/ value is not a valid signed peer record", e);
      }
    }

    @Override
    public int select(byte[] key, List<byte[]> values) {
      int best = 0;
      long bestSeq = Long.MIN_VALUE;
      for (int i = 0; i < values.size(); i++) {
        try {
          long s = open(values.get(i)).seq();
          if (Long.compareUnsigned(s, bestSeq) > 0 || bestSeq == Long.MIN_VALUE) {
            best = i;
            bestSeq = s;
          }
        } catch (KadException e) {
          // only valid values are passed in
        }
      }
      return best;
    }
  }

  /** {@code /sp/rv/}: opaque ciphertext with a leading expiry. */
  static final class RendezvousValidator implements RecordValidator {
    @Override
    public void validate(byte[] key, byte[] value, long nowMillis) throws KadException {
      if (key.length != RV.length + 32) {
        throw new KadException("/sp/rv/ key must carry 32 bytes");
      }
      if (value.length < 8 + 16 || value.length > MAX_RENDEZVOUS_BYTES) {
        throw new KadException("/sp/rv/ value size out of range");
      }
      long exp = ByteBuffer.wrap(value, 0, 8).getLong();
      if (exp <= nowMillis || exp - nowMillis > MAX_RENDEZVOUS_LIFETIME_MILLIS) {
        throw new KadException("/sp/rv/ value expired or expires too late");
      }
    }

    @Override
    public int select(byte[] key, List<byte[]> values) {
      int best = 0;
      for (int i = 1; i < values.size(); i++) {
        if (expiresAtMillis(values.get(i)) > expiresAtMillis(values.get(best))) {
          best = i;
        }
      }
      return best;
    }

    @Override
    public long expiresAtMillis(byte[] value) {
      return ByteBuffer.wrap(value, 0, 8).getLong();
    }
  }
}
