package io.spacepanda;

import io.spacepanda.internal.crypto.Base32;
import io.spacepanda.internal.crypto.Base58;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The identity of a node on the network: a libp2p peer id, derived from the node's Ed25519 key.
 *
 * <p>A peer id is a multihash of the protobuf-encoded public key (libp2p peer-ids spec, "Peer
 * Ids"): keys whose encoding is at most 42 bytes, such as Ed25519 keys, use the identity multihash
 * (code {@code 0x00}), so the key can be read back from the id; larger keys use SHA2-256 (code
 * {@code 0x12}). Both kinds are accepted when parsing, since other libp2p peers may have RSA keys;
 * SpacePanda nodes always have Ed25519 ids, which print as {@code 12D3KooW…}.
 *
 * <p>Text forms: the canonical base58btc multihash ({@link #toBase58()}, also {@link #toString()})
 * and the CIDv1 form with the {@code libp2p-key} codec ({@link #toCid()}, {@code bafz…}). {@link
 * #parse(String)} reads both.
 *
 * <p>Instances are immutable, thread-safe values; {@link #equals(Object)} compares the multihash
 * bytes, and the natural order is the unsigned lexicographic order of those bytes (used to break
 * ties in message display order).
 */
public final class PeerId implements Comparable<PeerId> {

  /** Length in bytes of an Ed25519 public key. */
  public static final int ED25519_PUBLIC_KEY_LENGTH = 32;

  /** Longest multihash a peer id may have: SHA2-256 (34 bytes) or identity of ≤ 42 bytes (44). */
  public static final int MAX_LENGTH = 44;

  // multicodec table: identity = 0x00, sha2-256 = 0x12, libp2p-key = 0x72.
  private static final int IDENTITY = 0x00;
  private static final int SHA2_256 = 0x12;
  private static final int SHA2_256_LENGTH = 32;
  private static final int MAX_INLINE_KEY = 42;
  private static final int CID_V1 = 0x01;
  private static final int LIBP2P_KEY = 0x72;
  private static final int MAX_TEXT_LENGTH = 128;

  // libp2p peer-ids spec, "Keys": PublicKey { Type = Ed25519 (1), Data = 32 bytes }, fields in
  // field-number order: 0x08 0x01 (field 1, varint 1), 0x12 0x20 (field 2, 32 bytes).
  private static final byte[] ED25519_PREFIX = {0x00, 0x24, 0x08, 0x01, 0x12, 0x20};

  private final byte[] bytes;

  private PeerId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Derives the peer id of an Ed25519 public key, exactly as libp2p does.
   *
   * @param ed25519PublicKey the 32-byte public key, not modified
   * @return the peer id ({@code 12D3KooW…})
   * @throws InvalidPeerIdException if the key is not 32 bytes long
   */
  public static PeerId fromPublicKey(byte[] ed25519PublicKey) {
    Objects.requireNonNull(ed25519PublicKey, "ed25519PublicKey");
    if (ed25519PublicKey.length != ED25519_PUBLIC_KEY_LENGTH) {
      throw new InvalidPeerIdException(
          "Ed25519 public key must be 32 bytes, got " + ed25519PublicKey.length);
    }
    byte[] b = Arrays.copyOf(ED25519_PREFIX, ED25519_PREFIX.length + ED25519_PUBLIC_KEY_LENGTH);
    System.arraycopy(ed25519PublicKey, 0, b, ED25519_PREFIX.length, ED25519_PUBLIC_KEY_LENGTH);
    return new PeerId(b);
  }

  /**
   * Reads a peer id from its binary multihash form, as carried in protocols and MLS credentials.
   *
   * @param multihash the multihash bytes, not modified
   * @return the peer id
   * @throws InvalidPeerIdException if the bytes are not an identity multihash of 1 to 42 bytes or
   *     a SHA2-256 multihash
   */
  public static PeerId fromBytes(byte[] multihash) {
    Objects.requireNonNull(multihash, "multihash");
    byte[] b = multihash.clone();
    String problem = validate(b);
    if (problem != null) {
      throw new InvalidPeerIdException("invalid peer id bytes (" + problem + ")");
    }
    return new PeerId(b);
  }

  /**
   * Parses a peer id from text: base58btc ({@code 12D3KooW…}, {@code Qm…}) or a CIDv1 with the
   * {@code libp2p-key} codec in base32 ({@code bafz…}) or base58btc ({@code z…}) multibase.
   *
   * @param text the text, without surrounding white space
   * @return the peer id
   * @throws InvalidPeerIdException if the text is none of these forms or the multihash inside is
   *     not a valid peer id; the message names the text
   */
  public static PeerId parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty() || text.length() > MAX_TEXT_LENGTH) {
      throw invalid(text, "length " + text.length() + " is not 1.." + MAX_TEXT_LENGTH);
    }
    byte[] multihash;
    try {
      if (text.startsWith("1") || text.startsWith("Qm")) {
        multihash = Base58.decode(text);
      } else if (text.charAt(0) == 'b') {
        multihash = unwrapCid(Base32.decode(text.substring(1)));
      } else if (text.charAt(0) == 'z') {
        multihash = unwrapCid(Base58.decode(text.substring(1)));
      } else {
        throw invalid(text, "neither base58btc multihash nor CIDv1");
      }
    } catch (InvalidPeerIdException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw invalid(text, e.getMessage());
    }
    String problem = validate(multihash);
    if (problem != null) {
      throw invalid(text, problem);
    }
    return new PeerId(multihash);
  }

  private static byte[] unwrapCid(byte[] cid) {
    // CID spec: <version varint><multicodec varint><multihash>; 0x01 and 0x72 are one-byte varints.
    if (cid.length < 2 || cid[0] != CID_V1) {
      throw new IllegalArgumentException("not a CIDv1");
    }
    if (cid[1] != LIBP2P_KEY) {
      throw new IllegalArgumentException("CID codec is not libp2p-key");
    }
    return Arrays.copyOfRange(cid, 2, cid.length);
  }

  private static InvalidPeerIdException invalid(String text, String reason) {
    String shown = text.length() > 80 ? text.substring(0, 80) + "…" : text;
    return new InvalidPeerIdException("invalid peer id '" + shown + "' (" + reason + ")");
  }

  /** Returns null if {@code b} is a valid peer id multihash, else the reason it is not. */
  private static String validate(byte[] b) {
    if (b.length < 2 || b.length > MAX_LENGTH) {
      return "length " + b.length + " is not 2.." + MAX_LENGTH;
    }
    int code = b[0] & 0xff;
    int length = b[1] & 0xff;
    if (code == IDENTITY) {
      if (length < 1 || length > MAX_INLINE_KEY) {
        return "identity multihash length " + length + " is not 1.." + MAX_INLINE_KEY;
      }
    } else if (code == SHA2_256) {
      if (length != SHA2_256_LENGTH) {
        return "sha2-256 multihash length " + length + " is not " + SHA2_256_LENGTH;
      }
    } else {
      return "multihash code 0x" + Integer.toHexString(code) + " is neither identity nor sha2-256";
    }
    if (b.length != 2 + length) {
      return "multihash declares " + length + " digest bytes but has " + (b.length - 2);
    }
    return null;
  }

  /**
   * Returns the binary multihash form.
   *
   * @return a fresh copy the caller owns
   */
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * Returns the Ed25519 public key inlined in this id, if it is an Ed25519 identity-multihash id.
   *
   * @return a copy of the 32-byte key, or empty for ids of other key types or hashed keys
   */
  public Optional<byte[]> ed25519PublicKey() {
    if (bytes.length != ED25519_PREFIX.length + ED25519_PUBLIC_KEY_LENGTH
        || !Arrays.equals(bytes, 0, ED25519_PREFIX.length, ED25519_PREFIX, 0, ED25519_PREFIX.length)) {
      return Optional.empty();
    }
    return Optional.of(Arrays.copyOfRange(bytes, ED25519_PREFIX.length, bytes.length));
  }

  /**
   * Returns the canonical text form: the base58btc-encoded multihash.
   *
   * @return for example {@code 12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv}
   */
  public String toBase58() {
    return Base58.encode(bytes);
  }

  /**
   * Returns the CIDv1 text form ({@code libp2p-key} codec, base32 multibase).
   *
   * @return for example {@code bafzaajaiaejc…}
   */
  public String toCid() {
    byte[] cid = new byte[bytes.length + 2];
    cid[0] = CID_V1;
    cid[1] = LIBP2P_KEY;
    System.arraycopy(bytes, 0, cid, 2, bytes.length);
    return "b" + Base32.encode(cid);
  }

  /**
   * Compares the multihash bytes as unsigned bytes, lexicographically.
   *
   * @param other the other peer id
   * @return negative, zero or positive
   */
  @Override
  public int compareTo(PeerId other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  /**
   * Tells whether {@code o} is a peer id with the same multihash bytes.
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof PeerId && Arrays.equals(bytes, ((PeerId) o).bytes);
  }

  /**
   * Returns a hash of the multihash bytes.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /**
   * Returns the canonical text form, the same as {@link #toBase58()}.
   *
   * @return the base58btc text
   */
  @Override
  public String toString() {
    return toBase58();
  }
}
