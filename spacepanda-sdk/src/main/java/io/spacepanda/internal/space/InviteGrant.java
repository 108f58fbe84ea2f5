package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import io.spacepanda.internal.crypto.IdentityKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The signed statement of a version-4 invite code: "I, the inviter, issued an invite to this space
 * whose secret hashes to this value, valid until this time, and these are its fallback admins".
 * A joiner sends it with its {@link JoinRequest}, so that a fallback admin that never received the
 * inviter's {@link SpaceOp.IssueInvite} can still check that the invite is genuine (issue 11).
 *
 * <p><b>Key.</b> The signature is made with the inviter's node identity key (Ed25519), the key
 * whose public half is inlined in its {@link PeerId} (libp2p peer-ids spec, "Inlining"). It is
 * also the signature key of every MLS leaf the node holds ({@code NodeContext.keyPackageOf} checks
 * that a KeyPackage's signature key derives the claimed PeerId), but verifying against the PeerId
 * needs no group state: not the inviter's leaf (gone once it is removed, and its index says
 * nothing about its role), nor any epoch. Whether the signer may invite is a separate question,
 * answered by the space's metadata ({@link SpaceState}) at the time the verifier decides.
 *
 * <p><b>What the signature covers</b> (RFC 8032 §5.1.6, Ed25519 without pre-hash) is the label
 * {@value #LABEL} and a zero byte, then the wire form below without the signature: so it binds
 * the space, the secret's SHA-256 (not the secret, which the grant never carries), the expiry, and
 * every byte of the inviter's and the fallback admins' contacts (PeerIds, inbox keys, addresses).
 * The label keeps the signature apart from the node's other uses of its key (MLS signs with
 * "MLS 1.0 " labels, RFC 9420 §5.1.2; the Noise handshake with "noise-libp2p-static-key:").
 *
 * <pre>
 * uint8 version = 4; opaque space_id[16]; opaque secret_hash[32]; uint64 expires_at_seconds;
 * opaque inviter&lt;2..44&gt;; opaque inbox_key[32]; Address addresses&lt;0..4&gt;;
 * uint8 n (0..3); { opaque admin&lt;2..44&gt;; opaque inbox_key[32]; Address addresses&lt;0..2&gt; }[n];
 * opaque signature[64];
 * </pre>
 *
 * <p>Addresses follow the rules of invite codes of version 3 ({@link InviteCode}): relayed ones up
 * to {@value SpaceConstants#MAX_INVITE_CIRCUIT_ADDRESS_BYTES} bytes, all together at most {@value
 * SpaceConstants#MAX_INVITE_ADDRESS_TOTAL_BYTES}; admins distinct and not the inviter. The decoder
 * accepts exactly what {@link #encode()} writes, at most {@value SpaceConstants#MAX_INVITE_GRANT_BYTES}
 * bytes; it does not verify the signature ({@link #verifies()} does).
 *
 * <p>Immutable and thread-safe. Nothing in it is secret.
 */
public final class InviteGrant {

  /** The signing label, followed by a zero byte in the signed message. */
  public static final String LABEL = "spacepanda invite grant v4";

  private final SpaceId spaceId;
  private final byte[] secretHash;
  private final long expiresAtSeconds;
  private final Contact inviter;
  private final List<Contact> admins;
  private final byte[] signature;

  private InviteGrant(SpaceId spaceId, byte[] secretHash, long expiresAtSeconds, Contact inviter,
      List<Contact> admins, byte[] signature) {
    this.spaceId = spaceId;
    this.secretHash = secretHash;
    this.expiresAtSeconds = expiresAtSeconds;
    this.inviter = inviter;
    this.admins = admins;
    this.signature = signature;
  }

  /**
   * Creates a grant from its parts and a signature, checking bounds but not the signature.
   *
   * @param spaceId the space
   * @param secretHash the SHA-256 of the invite's secret, {@value SpaceConstants#SECRET_HASH_LENGTH}
   *     bytes
   * @param expiresAtSeconds the expiry, epoch seconds in 1970..9999
   * @param inviter the inviter's contact, under the invite code limits
   * @param admins 0 to {@value SpaceConstants#MAX_INVITE_ADMINS} fallback admins, as in {@link
   *     InviteCode#of(SpaceId, Contact, List, io.spacepanda.internal.crypto.SecretBytes, Instant)}
   * @param signature the {@value IdentityKey#SIGNATURE_LENGTH}-byte signature
   * @return the grant
   * @throws IllegalArgumentException if a part is out of bounds
   */
  public static InviteGrant of(SpaceId spaceId, byte[] secretHash, long expiresAtSeconds,
      Contact inviter, List<Contact> admins, byte[] signature) {
    Objects.requireNonNull(signature, "signature");
    if (signature.length != IdentityKey.SIGNATURE_LENGTH) {
      throw new IllegalArgumentException("signature of " + signature.length + " bytes");
    }
    List<Contact> copy = check(spaceId, secretHash, expiresAtSeconds, inviter, admins);
    return new InviteGrant(spaceId, secretHash.clone(), expiresAtSeconds, inviter, copy,
        signature.clone());
  }

  /**
   * Signs a grant with the inviter's identity key.
   *
   * @param spaceId the space
   * @param secretHash the SHA-256 of the invite's secret
   * @param expiresAtSeconds the expiry, epoch seconds
   * @param inviter the inviter's contact, whose PeerId is {@code key}'s
   * @param admins the fallback admins
   * @param key the inviter's identity key
   * @return the signed grant
   * @throws IllegalArgumentException if a part is out of bounds or the key is not the inviter's
   */
  public static InviteGrant sign(SpaceId spaceId, byte[] secretHash, long expiresAtSeconds,
      Contact inviter, List<Contact> admins, IdentityKey key) {
    Objects.requireNonNull(key, "key");
    List<Contact> copy = check(spaceId, secretHash, expiresAtSeconds, inviter, admins);
    if (!key.peerId().equals(inviter.peer())) {
      throw new IllegalArgumentException("the signing key is not the inviter's");
    }
    byte[] sig = key.sign(toBeSigned(spaceId, secretHash, expiresAtSeconds, inviter, copy));
    return new InviteGrant(spaceId, secretHash.clone(), expiresAtSeconds, inviter, copy, sig);
  }

  private static List<Contact> check(SpaceId spaceId, byte[] secretHash, long expiresAtSeconds,
      Contact inviter, List<Contact> admins) {
    Objects.requireNonNull(spaceId, "spaceId");
    Objects.requireNonNull(secretHash, "secretHash");
    Objects.requireNonNull(inviter, "inviter");
    Objects.requireNonNull(admins, "admins");
    if (secretHash.length != SpaceConstants.SECRET_HASH_LENGTH) {
      throw new IllegalArgumentException("secret hash of " + secretHash.length + " bytes");
    }
    if (expiresAtSeconds < 0 || expiresAtSeconds > SpaceConstants.MAX_EXPIRY_SECONDS) {
      throw new IllegalArgumentException("expiry " + expiresAtSeconds + " is not in 1970..9999");
    }
    String problem = InviteCode.inviteAddressProblem(inviter.addresses(), true);
    List<Contact> copy = List.copyOf(admins);
    if (problem == null) {
      problem = InviteCode.adminsProblem(inviter, copy);
    }
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return copy;
  }

  /** Writes everything but the signature. */
  static void writeSigned(WireWriter w, SpaceId spaceId, byte[] secretHash, long expiresAtSeconds,
      Contact inviter, List<Contact> admins) {
    w.u8(SpaceConstants.INVITE_VERSION_SIGNED).fixed(spaceId.rawBytes()).fixed(secretHash)
        .u64(expiresAtSeconds);
    inviter.write(w);
    w.u8(admins.size());
    for (Contact c : admins) {
      c.write(w);
    }
  }

  /** The message the inviter signs: the label, a zero byte, the grant without its signature. */
  static byte[] toBeSigned(SpaceId spaceId, byte[] secretHash, long expiresAtSeconds,
      Contact inviter, List<Contact> admins) {
    WireWriter w = new WireWriter();
    w.fixed(LABEL.getBytes(StandardCharsets.US_ASCII)).u8(0);
    writeSigned(w, spaceId, secretHash, expiresAtSeconds, inviter, admins);
    return w.toByteArray();
  }

  /**
   * Tells whether the signature is the inviter's over this grant (its PeerId's inlined Ed25519
   * key); says nothing about whether the inviter may invite.
   *
   * @return true if the signature verifies
   */
  public boolean verifies() {
    return IdentityKey.verify(inviter.peer(),
        toBeSigned(spaceId, secretHash, expiresAtSeconds, inviter, admins), signature);
  }

  /**
   * Encodes the grant.
   *
   * @return the wire form, a fresh array
   */
  public byte[] encode() {
    WireWriter w = new WireWriter();
    writeSigned(w, spaceId, secretHash, expiresAtSeconds, inviter, admins);
    w.fixed(signature);
    return w.toByteArray();
  }

  /**
   * Decodes a grant, strictly; the signature is not verified.
   *
   * @param bytes the wire form, not modified
   * @return the grant
   * @throws SpaceDecodeException if the bytes are not exactly one grant within the limits
   */
  public static InviteGrant decode(byte[] bytes) throws SpaceDecodeException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length > SpaceConstants.MAX_INVITE_GRANT_BYTES) {
      throw new SpaceDecodeException("invite grant too long");
    }
    WireReader r = new WireReader(bytes);
    int version = r.u8("version");
    if (version != SpaceConstants.INVITE_VERSION_SIGNED) {
      throw new SpaceDecodeException("unknown invite grant version " + version);
    }
    SpaceId space = r.spaceId("space id");
    byte[] hash = r.fixed(SpaceConstants.SECRET_HASH_LENGTH, "secret hash");
    long expires = r.u64("expiry");
    if (expires < 0 || expires > SpaceConstants.MAX_EXPIRY_SECONDS) {
      throw new SpaceDecodeException("expiry out of range");
    }
    Contacts c = readContacts(r, 0);
    byte[] sig = r.fixed(IdentityKey.SIGNATURE_LENGTH, "signature");
    r.end("invite grant");
    return new InviteGrant(space, hash, expires, c.inviter(), c.admins(), sig);
  }

  /** The inviter and the fallback admins of a code or grant. */
  record Contacts(Contact inviter, List<Contact> admins) {}

  /**
   * Reads the inviter's contact (relayed addresses allowed) and the admins' count and contacts,
   * as versions 3 and 4 write them; the count must be at least {@code minAdmins}.
   */
  static Contacts readContacts(WireReader r, int minAdmins) throws SpaceDecodeException {
    PeerId peer = r.peer("inviter");
    byte[] key = r.fixed(SpaceConstants.INBOX_KEY_LENGTH, "inbox key");
    List<String> addresses = r.addresses(SpaceConstants.MAX_INVITE_ADDRESSES,
        SpaceConstants.MAX_INVITE_CIRCUIT_ADDRESS_BYTES, "address");
    String problem = InviteCode.inviteAddressProblem(addresses, true);
    if (problem != null) {
      throw new SpaceDecodeException(problem);
    }
    Contact inviter = new Contact(peer, key, addresses);
    int n = r.u8("admin count");
    if (n < minAdmins || n > SpaceConstants.MAX_INVITE_ADMINS) {
      throw new SpaceDecodeException("admin count " + n + " is not " + minAdmins + ".."
          + SpaceConstants.MAX_INVITE_ADMINS);
    }
    java.util.List<Contact> list = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      PeerId admin = r.peer("admin");
      byte[] adminKey = r.fixed(SpaceConstants.INBOX_KEY_LENGTH, "admin inbox key");
      list.add(new Contact(admin, adminKey, r.addresses(SpaceConstants.MAX_INVITE_ADMIN_ADDRESSES,
          SpaceConstants.MAX_INVITE_CIRCUIT_ADDRESS_BYTES, "admin address")));
    }
    List<Contact> admins = List.copyOf(list);
    String adminProblem = InviteCode.adminsProblem(inviter, admins);
    if (adminProblem != null) {
      throw new SpaceDecodeException(adminProblem);
    }
    return new Contacts(inviter, admins);
  }

  /** Builds the grant of a signed invite code, already checked. */
  static InviteGrant ofCode(SpaceId spaceId, byte[] secretHash, long expiresAtSeconds,
      Contact inviter, List<Contact> admins, byte[] signature) {
    return new InviteGrant(spaceId, secretHash, expiresAtSeconds, inviter, admins,
        signature.clone());
  }

  /**
   * Returns the space the invite is for.
   *
   * @return the space id
   */
  public SpaceId spaceId() {
    return spaceId;
  }

  /**
   * Returns the SHA-256 of the invite's secret, the invite's id in space operations.
   *
   * @return a fresh {@value SpaceConstants#SECRET_HASH_LENGTH}-byte array
   */
  public byte[] secretHash() {
    return secretHash.clone();
  }

  /**
   * Tells whether {@code hash} is this grant's secret hash, in constant time.
   *
   * @param hash a secret hash
   * @return true if equal
   */
  public boolean isFor(byte[] hash) {
    return MessageDigest.isEqual(secretHash, hash);
  }

  /**
   * Returns when the invite stops being valid.
   *
   * @return the expiry, epoch seconds
   */
  public long expiresAtSeconds() {
    return expiresAtSeconds;
  }

  /**
   * Tells whether the invite has expired at {@code now}: from its expiry on.
   *
   * @param now the current time
   * @return true if expired
   */
  public boolean isExpired(Instant now) {
    return now.getEpochSecond() >= expiresAtSeconds;
  }

  /**
   * Returns the inviter, the signer.
   *
   * @return its contact
   */
  public Contact inviter() {
    return inviter;
  }

  /**
   * Returns the fallback admins the code lists.
   *
   * @return the admins, possibly none
   */
  public List<Contact> admins() {
    return admins;
  }

  /**
   * Returns the signature.
   *
   * @return a fresh {@value IdentityKey#SIGNATURE_LENGTH}-byte array
   */
  public byte[] signature() {
    return signature.clone();
  }

  /**
   * Tells whether {@code o} is a grant with the same bytes.
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof InviteGrant g && Arrays.equals(encode(), g.encode());
  }

  /**
   * Returns a hash of the space and inviter.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(spaceId, inviter);
  }

  /**
   * Returns the space, inviter, admins' count and expiry.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "InviteGrant[space=" + spaceId + ", inviter=" + inviter.peer() + ", admins="
        + admins.size() + ", expires=" + expiresAtSeconds + "]";
  }
}
