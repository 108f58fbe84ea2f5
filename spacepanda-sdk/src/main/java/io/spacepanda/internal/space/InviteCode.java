package io.spacepanda.internal.space;

import io.spacepanda.InvalidInviteException;
import io.spacepanda.PeerId;
import io.spacepanda.internal.crypto.Base32;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An invitation to a space, as a short text code handed to a friend out of band: the space id,
 * the inviter's contact (PeerId, transport addresses, inbox key), a one-time secret and an expiry.
 *
 * <p>Text form: {@value SpaceConstants#INVITE_PREFIX} followed by the lower-case unpadded base32
 * (RFC 4648 §6) of the binary form below. {@link #parse(String)} ignores surrounding white space
 * and letter case, and rejects everything else that is not exactly a valid code; a 4-byte SHA-256
 * checksum over the prefix and the binary form catches mistyped codes.
 *
 * <pre>
 * uint8 version = 1, 2, 3 or 4; opaque space_id[16]; opaque secret&lt;16..32&gt;;
 * uint64 expires_at_seconds;
 * opaque inviter&lt;2..44&gt;; opaque inbox_key[32]; Address addresses&lt;0..4&gt;;
 * (versions 3 and 4) uint8 n (1..3 in version 3, 0..3 in version 4);
 *     { opaque admin&lt;2..44&gt;; opaque inbox_key[32]; Address addresses&lt;0..2&gt; }[n];
 * (version 4 only) opaque signature[64];
 * opaque checksum[4] = SHA-256("sp1-" || all preceding bytes)[0..4]
 * </pre>
 *
 * <p>Version 1: each address 1..{@value SpaceConstants#MAX_INVITE_ADDRESS_BYTES} bytes. Version 2
 * (written only when an address needs it): an address holding {@code /p2p-circuit} (reached through
 * a relay, {@code <relay address>/p2p/<relay>/p2p-circuit}) may have up to {@value
 * SpaceConstants#MAX_INVITE_CIRCUIT_ADDRESS_BYTES} bytes, other addresses still {@value
 * SpaceConstants#MAX_INVITE_ADDRESS_BYTES}, and all addresses together at most {@value
 * SpaceConstants#MAX_INVITE_ADDRESS_TOTAL_BYTES} bytes; so every code stays under {@value
 * SpaceConstants#MAX_INVITE_TEXT} characters.
 *
 * <p>Version 3 (written only when the list is not empty) also lists up to {@value
 * SpaceConstants#MAX_INVITE_ADMINS} fallback admins ({@link #admins()}): managers of the space who
 * can admit the joiner while the inviter is away. They must be distinct and differ from the
 * inviter; each lists at most {@value SpaceConstants#MAX_INVITE_ADMIN_ADDRESSES} addresses, under
 * the version-2 length rules, and the addresses of all contacts together stay within {@value
 * SpaceConstants#MAX_INVITE_ADDRESS_TOTAL_BYTES} bytes. The decoder accepts exactly the codes
 * {@link #toText()} writes: a version 3 code without admins is refused.
 *
 * <p>Version 4 (written whenever the code is signed, {@link #signed}) has the layout of version 3,
 * with 0 to {@value SpaceConstants#MAX_INVITE_ADMINS} admins, followed by the inviter's Ed25519
 * signature over its {@link InviteGrant}: the same fields with the secret replaced by its SHA-256.
 * {@link #parse} verifies it against the key inlined in the inviter's PeerId and refuses a code
 * whose signature does not verify (altered in any byte: space, expiry, inviter, fallback list),
 * so an altered code never leaves the joiner. The joiner sends the grant with its request
 * ({@link JoinRequest#grant()}); a fallback admin then checks the signer's role itself.
 *
 * <p>The inviter keeps only {@link #secretHash()} (SHA-256 of the secret) with the expiry; the
 * joiner proves it holds the code by sending the secret in its {@link JoinRequest}. An invite
 * expires at the first instant at or after its expiry ({@link #isExpired(Instant)}).
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the secret; {@link #toText()} does,
 * since it is the code.
 */
public final class InviteCode {

  private final SpaceId spaceId;
  private final Contact inviter;
  private final List<Contact> admins;
  private final SecretBytes secret;
  private final long expiresAtSeconds;
  /** The inviter's signature (version 4), or null. */
  private final byte[] signature;

  private InviteCode(SpaceId spaceId, Contact inviter, List<Contact> admins, SecretBytes secret,
      long expiresAtSeconds, byte[] signature) {
    this.spaceId = spaceId;
    this.inviter = inviter;
    this.admins = admins;
    this.secret = secret;
    this.expiresAtSeconds = expiresAtSeconds;
    this.signature = signature;
  }

  /**
   * Creates an invite with a fresh {@value SpaceConstants#INVITE_SECRET_LENGTH}-byte secret.
   *
   * @param spaceId the space
   * @param inviter the inviter's contact, at most {@value SpaceConstants#MAX_INVITE_ADDRESSES}
   *     addresses of at most {@value SpaceConstants#MAX_INVITE_ADDRESS_BYTES} bytes each ({@value
   *     SpaceConstants#MAX_INVITE_CIRCUIT_ADDRESS_BYTES} for a relayed one), {@value
   *     SpaceConstants#MAX_INVITE_ADDRESS_TOTAL_BYTES} together
   * @param expiresAt when the invite stops being valid; truncated to whole seconds
   * @param random the source of the secret
   * @return the invite
   * @throws IllegalArgumentException if the inviter has too many or too long addresses, or the
   *     expiry is not in the years 1970 to 9999
   */
  public static InviteCode issue(
      SpaceId spaceId, Contact inviter, Instant expiresAt, SecureRandom random) {
    Objects.requireNonNull(random, "random");
    return of(spaceId, inviter,
        SecretBytes.random(SpaceConstants.INVITE_SECRET_LENGTH, random), expiresAt);
  }

  /**
   * Creates an invite with a given secret.
   *
   * @param spaceId the space
   * @param inviter the inviter's contact, at most {@value SpaceConstants#MAX_INVITE_ADDRESSES}
   *     addresses of at most {@value SpaceConstants#MAX_INVITE_ADDRESS_BYTES} bytes each ({@value
   *     SpaceConstants#MAX_INVITE_CIRCUIT_ADDRESS_BYTES} for a relayed one), {@value
   *     SpaceConstants#MAX_INVITE_ADDRESS_TOTAL_BYTES} together
   * @param secret the one-time secret, {@value SpaceConstants#MIN_INVITE_SECRET} to {@value
   *     SpaceConstants#MAX_INVITE_SECRET} bytes
   * @param expiresAt when the invite stops being valid; truncated to whole seconds
   * @return the invite
   * @throws IllegalArgumentException if a part is out of bounds
   */
  public static InviteCode of(
      SpaceId spaceId, Contact inviter, SecretBytes secret, Instant expiresAt) {
    return of(spaceId, inviter, List.of(), secret, expiresAt);
  }

  /**
   * Creates an invite that also lists fallback admins, who can admit the joiner while the inviter
   * is away (a version-3 code when {@code admins} is not empty).
   *
   * @param spaceId the space
   * @param inviter the inviter's contact, as in {@link #of(SpaceId, Contact, SecretBytes, Instant)}
   * @param admins 0 to {@value SpaceConstants#MAX_INVITE_ADMINS} other managers of the space,
   *     distinct, each with at most {@value SpaceConstants#MAX_INVITE_ADMIN_ADDRESSES} addresses;
   *     the addresses of the inviter and the admins together at most {@value
   *     SpaceConstants#MAX_INVITE_ADDRESS_TOTAL_BYTES} bytes
   * @param secret the one-time secret
   * @param expiresAt when the invite stops being valid; truncated to whole seconds
   * @return the invite
   * @throws IllegalArgumentException if a part is out of bounds
   */
  public static InviteCode of(SpaceId spaceId, Contact inviter, List<Contact> admins,
      SecretBytes secret, Instant expiresAt) {
    Objects.requireNonNull(spaceId, "spaceId");
    Objects.requireNonNull(inviter, "inviter");
    Objects.requireNonNull(admins, "admins");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(expiresAt, "expiresAt");
    checkInviteAddresses(inviter.addresses());
    List<Contact> copy = List.copyOf(admins);
    String problem = adminsProblem(inviter, copy);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    checkSecretLength(secret.length());
    if (expiresAt.getEpochSecond() < 0
        || expiresAt.getEpochSecond() > SpaceConstants.MAX_EXPIRY_SECONDS) {
      throw new IllegalArgumentException("expiry " + expiresAt + " is not in 1970..9999");
    }
    return new InviteCode(spaceId, inviter, copy, secret, expiresAt.getEpochSecond(), null);
  }

  /**
   * Creates an invite signed by the inviter (a version-4 code), so that a fallback admin can check
   * it without having seen it announced ({@link InviteGrant}).
   *
   * @param spaceId the space
   * @param inviter the inviter's contact, whose PeerId is {@code key}'s
   * @param admins 0 to {@value SpaceConstants#MAX_INVITE_ADMINS} fallback admins, as in {@link
   *     #of(SpaceId, Contact, List, SecretBytes, Instant)}
   * @param secret the one-time secret
   * @param expiresAt when the invite stops being valid; truncated to whole seconds
   * @param key the inviter's node identity key
   * @return the signed invite
   * @throws IllegalArgumentException if a part is out of bounds or the key is not the inviter's
   */
  public static InviteCode signed(SpaceId spaceId, Contact inviter, List<Contact> admins,
      SecretBytes secret, Instant expiresAt, IdentityKey key) {
    InviteCode plain = of(spaceId, inviter, admins, secret, expiresAt);
    InviteGrant grant = InviteGrant.sign(spaceId, plain.secretHash(), plain.expiresAtSeconds,
        inviter, plain.admins, key);
    return new InviteCode(spaceId, inviter, plain.admins, secret, plain.expiresAtSeconds,
        grant.signature());
  }

  /**
   * Creates a signed invite (version 4) with a fresh {@value SpaceConstants#INVITE_SECRET_LENGTH}-byte
   * secret.
   *
   * @param spaceId the space
   * @param inviter the inviter's contact, whose PeerId is {@code key}'s
   * @param admins the fallback admins, possibly none
   * @param expiresAt when the invite stops being valid
   * @param random the source of the secret
   * @param key the inviter's node identity key
   * @return the signed invite
   * @throws IllegalArgumentException if a part is out of bounds or the key is not the inviter's
   */
  public static InviteCode issueSigned(SpaceId spaceId, Contact inviter, List<Contact> admins,
      Instant expiresAt, SecureRandom random, IdentityKey key) {
    Objects.requireNonNull(random, "random");
    return signed(spaceId, inviter, admins,
        SecretBytes.random(SpaceConstants.INVITE_SECRET_LENGTH, random), expiresAt, key);
  }

  /**
   * Creates an invite listing fallback admins, with a fresh {@value
   * SpaceConstants#INVITE_SECRET_LENGTH}-byte secret.
   *
   * @param spaceId the space
   * @param inviter the inviter's contact
   * @param admins the fallback admins, as in {@link #of(SpaceId, Contact, List, SecretBytes,
   *     Instant)}
   * @param expiresAt when the invite stops being valid
   * @param random the source of the secret
   * @return the invite
   * @throws IllegalArgumentException if a part is out of bounds
   */
  public static InviteCode issue(SpaceId spaceId, Contact inviter, List<Contact> admins,
      Instant expiresAt, SecureRandom random) {
    Objects.requireNonNull(random, "random");
    return of(spaceId, inviter, admins,
        SecretBytes.random(SpaceConstants.INVITE_SECRET_LENGTH, random), expiresAt);
  }

  /** The fallback admins' problem (count, duplicates, addresses, total size), or null. */
  static String adminsProblem(Contact inviter, List<Contact> admins) {
    if (admins.size() > SpaceConstants.MAX_INVITE_ADMINS) {
      return admins.size() + " fallback admins, more than " + SpaceConstants.MAX_INVITE_ADMINS;
    }
    java.util.Set<PeerId> seen = new java.util.HashSet<>();
    seen.add(inviter.peer());
    int total = 0;
    for (String a : inviter.addresses()) {
      total += a.length();
    }
    for (Contact c : admins) {
      Objects.requireNonNull(c, "admin");
      if (!seen.add(c.peer())) {
        return "fallback admin " + c.peer() + " is listed twice or is the inviter";
      }
      if (c.addresses().size() > SpaceConstants.MAX_INVITE_ADMIN_ADDRESSES) {
        return "fallback admin with " + c.addresses().size() + " addresses, more than "
            + SpaceConstants.MAX_INVITE_ADMIN_ADDRESSES;
      }
      for (String a : c.addresses()) {
        String problem = Names.addressProblem(a, maxBytes(a));
        if (problem != null) {
          return problem;
        }
        total += a.length();
      }
    }
    if (total > SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES) {
      return "addresses have " + total + " bytes, more than "
          + SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES;
    }
    return null;
  }

  /** Whether an address is relayed, which allows it the longer limit of version 2. */
  static boolean isCircuit(String address) {
    return address.contains("/p2p-circuit");
  }

  private static int maxBytes(String address) {
    return isCircuit(address) ? SpaceConstants.MAX_INVITE_CIRCUIT_ADDRESS_BYTES
        : SpaceConstants.MAX_INVITE_ADDRESS_BYTES;
  }

  /** The addresses' problem under the invite limits (of version 2 when {@code relayed}), or null. */
  static String inviteAddressProblem(List<String> addresses, boolean relayed) {
    if (addresses.size() > SpaceConstants.MAX_INVITE_ADDRESSES) {
      return addresses.size() + " addresses, more than " + SpaceConstants.MAX_INVITE_ADDRESSES;
    }
    int total = 0;
    for (String a : addresses) {
      Objects.requireNonNull(a, "address");
      String problem = Names.addressProblem(a, relayed ? maxBytes(a) : SpaceConstants.MAX_INVITE_ADDRESS_BYTES);
      if (problem != null) {
        return problem;
      }
      total += a.length();
    }
    if (total > SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES) {
      return "addresses have " + total + " bytes, more than " + SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES;
    }
    return null;
  }

  private static void checkInviteAddresses(List<String> addresses) {
    Objects.requireNonNull(addresses, "addresses");
    String problem = inviteAddressProblem(addresses, true);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * Version 4 when signed, else 3 when fallback admins are listed, else 2 when an address is
   * longer than version 1 allows, else 1.
   */
  private int version() {
    if (signature != null) {
      return SpaceConstants.INVITE_VERSION_SIGNED;
    }
    if (!admins.isEmpty()) {
      return SpaceConstants.INVITE_VERSION_ADMINS;
    }
    for (String a : inviter.addresses()) {
      if (a.length() > SpaceConstants.MAX_INVITE_ADDRESS_BYTES) {
        return SpaceConstants.INVITE_VERSION_RELAYED;
      }
    }
    return SpaceConstants.INVITE_VERSION;
  }

  static void checkSecretLength(int n) {
    if (n < SpaceConstants.MIN_INVITE_SECRET || n > SpaceConstants.MAX_INVITE_SECRET) {
      throw new IllegalArgumentException("invite secret must be " + SpaceConstants.MIN_INVITE_SECRET
          + ".." + SpaceConstants.MAX_INVITE_SECRET + " bytes, got " + n);
    }
  }

  /**
   * Parses an invite code, strictly.
   *
   * @param text the code; surrounding white space and letter case are ignored
   * @return the invite
   * @throws InvalidInviteException if the text is not a valid code of a known version, or its
   *     checksum does not match (a typo); the message never repeats the code
   */
  public static InviteCode parse(String text) {
    Objects.requireNonNull(text, "text");
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.length() > SpaceConstants.MAX_INVITE_TEXT) {
      throw new InvalidInviteException("invite code is too long");
    }
    if (!t.startsWith(SpaceConstants.INVITE_PREFIX)) {
      throw new InvalidInviteException(
          "invite code does not start with " + SpaceConstants.INVITE_PREFIX);
    }
    byte[] bin;
    try {
      bin = Base32.decode(t.substring(SpaceConstants.INVITE_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new InvalidInviteException("invite code is mistyped or cut short (not base32)");
    }
    int body = bin.length - SpaceConstants.INVITE_CHECKSUM_LENGTH;
    if (body < 1) {
      throw new InvalidInviteException("invite code is too short");
    }
    byte[] expected = checksum(Arrays.copyOf(bin, body));
    if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(bin, body, bin.length))) {
      throw new InvalidInviteException("invite code is mistyped (checksum mismatch)");
    }
    try {
      return decodeBody(Arrays.copyOf(bin, body));
    } catch (SpaceDecodeException | IllegalArgumentException e) {
      throw new InvalidInviteException("invite code is malformed: " + e.getMessage(), e);
    }
  }

  private static InviteCode decodeBody(byte[] b) throws SpaceDecodeException {
    WireReader r = new WireReader(b);
    int version = r.u8("version");
    if (version < SpaceConstants.INVITE_VERSION || version > SpaceConstants.INVITE_VERSION_SIGNED) {
      throw new SpaceDecodeException("unknown invite version " + version);
    }
    SpaceId space = r.spaceId("space id");
    byte[] secret = r.opaque8(
        SpaceConstants.MIN_INVITE_SECRET, SpaceConstants.MAX_INVITE_SECRET, "secret");
    long expires = r.u64("expiry");
    if (expires < 0 || expires > SpaceConstants.MAX_EXPIRY_SECONDS) {
      throw new SpaceDecodeException("expiry out of range");
    }
    SecretBytes s = SecretBytes.copyOf(secret);
    Arrays.fill(secret, (byte) 0);
    if (version >= SpaceConstants.INVITE_VERSION_ADMINS) {
      boolean signed = version == SpaceConstants.INVITE_VERSION_SIGNED;
      InviteGrant.Contacts c = InviteGrant.readContacts(r, signed ? 0 : 1);
      byte[] sig = signed ? r.fixed(IdentityKey.SIGNATURE_LENGTH, "signature") : null;
      r.end("invite");
      InviteCode code = new InviteCode(space, c.inviter(), c.admins(), s, expires, sig);
      if (signed && !code.grant().orElseThrow().verifies()) {
        throw new SpaceDecodeException("the inviter's signature does not verify");
      }
      return code;
    }
    boolean relayed = version == SpaceConstants.INVITE_VERSION_RELAYED;
    PeerId peer = r.peer("inviter");
    byte[] key = r.fixed(SpaceConstants.INBOX_KEY_LENGTH, "inbox key");
    List<String> addresses = r.addresses(SpaceConstants.MAX_INVITE_ADDRESSES,
        relayed ? SpaceConstants.MAX_INVITE_CIRCUIT_ADDRESS_BYTES : SpaceConstants.MAX_INVITE_ADDRESS_BYTES,
        "address");
    String problem = inviteAddressProblem(addresses, relayed);
    if (problem != null) {
      throw new SpaceDecodeException(problem);
    }
    if (relayed
        && addresses.stream().allMatch(a -> a.length() <= SpaceConstants.MAX_INVITE_ADDRESS_BYTES)) {
      throw new SpaceDecodeException("version 2 without an address that needs it");
    }
    r.end("invite");
    return new InviteCode(space, new Contact(peer, key, addresses), List.of(), s, expires, null);
  }

  static byte[] checksum(byte[] body) {
    byte[] prefix = SpaceConstants.INVITE_PREFIX.getBytes(StandardCharsets.US_ASCII);
    byte[] in = Arrays.copyOf(prefix, prefix.length + body.length);
    System.arraycopy(body, 0, in, prefix.length, body.length);
    return Arrays.copyOf(SpaceOp.sha256(in), SpaceConstants.INVITE_CHECKSUM_LENGTH);
  }

  /**
   * Returns the text code, secret included: hand it only to the person invited.
   *
   * @return {@value SpaceConstants#INVITE_PREFIX} and lower-case base32
   */
  public String toText() {
    byte[] s = secret.exportSecret();
    WireWriter w = new WireWriter();
    w.u8(version()).fixed(spaceId.rawBytes()).opaque8(s).u64(expiresAtSeconds);
    inviter.write(w);
    if (signature != null || !admins.isEmpty()) {
      w.u8(admins.size());
      for (Contact c : admins) {
        c.write(w);
      }
    }
    if (signature != null) {
      w.fixed(signature);
    }
    byte[] body = w.toByteArray();
    Arrays.fill(s, (byte) 0);
    byte[] bin = Arrays.copyOf(body, body.length + SpaceConstants.INVITE_CHECKSUM_LENGTH);
    System.arraycopy(checksum(body), 0, bin, body.length, SpaceConstants.INVITE_CHECKSUM_LENGTH);
    return SpaceConstants.INVITE_PREFIX + Base32.encode(bin);
  }

  /**
   * Returns the SHA-256 hash of a secret, as {@link #secretHash()} does; for the inviter checking
   * the secret in a join request.
   *
   * @param secret the secret
   * @return the {@value SpaceConstants#SECRET_HASH_LENGTH}-byte hash
   */
  public static byte[] hashSecret(SecretBytes secret) {
    byte[] s = secret.exportSecret();
    try {
      return SpaceOp.sha256(s);
    } finally {
      Arrays.fill(s, (byte) 0);
    }
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
   * Returns the inviter's contact: PeerId, inbox key and addresses.
   *
   * @return the contact
   */
  public Contact inviter() {
    return inviter;
  }

  /**
   * Returns the fallback admins listed besides the inviter (version 3), who can admit the joiner
   * while the inviter is away.
   *
   * @return the admins, in the issuer's order of preference; empty for codes of versions 1 and 2
   */
  public List<Contact> admins() {
    return admins;
  }

  /**
   * Returns the inviter's signed statement of a version-4 code, which a joiner sends with its
   * request.
   *
   * @return the grant, or empty for codes of versions 1 to 3 (not signed)
   */
  public java.util.Optional<InviteGrant> grant() {
    if (signature == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(InviteGrant.ofCode(spaceId, secretHash(), expiresAtSeconds,
        inviter, admins, signature));
  }

  /**
   * Returns the one-time secret.
   *
   * @return the wrapped secret
   */
  public SecretBytes secret() {
    return secret;
  }

  /**
   * Returns the SHA-256 hash of the secret, which is all the inviter stores.
   *
   * @return a fresh {@value SpaceConstants#SECRET_HASH_LENGTH}-byte array
   */
  public byte[] secretHash() {
    return hashSecret(secret);
  }

  /**
   * Returns when the invite stops being valid.
   *
   * @return the expiry, in whole seconds
   */
  public Instant expiresAt() {
    return Instant.ofEpochSecond(expiresAtSeconds);
  }

  /**
   * Tells whether the invite has expired at {@code now}: true from its expiry on.
   *
   * @param now the current time, from the node's clock
   * @return true if {@code now} is at or after the expiry
   */
  public boolean isExpired(Instant now) {
    return !now.isBefore(expiresAt());
  }

  /**
   * Tells whether {@code o} is an invite with the same space, inviter, secret and expiry.
   *
   * @param o the other object
   * @return true if equal (the secrets compared in constant time)
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof InviteCode i
        && spaceId.equals(i.spaceId)
        && inviter.equals(i.inviter)
        && admins.equals(i.admins)
        && secret.equals(i.secret)
        && expiresAtSeconds == i.expiresAtSeconds
        && Arrays.equals(signature, i.signature);
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
   * Returns the space, inviter and expiry, never the secret.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "InviteCode[space=" + spaceId + ", inviter=" + inviter.peer() + ", admins="
        + admins.size() + ", expires=" + expiresAt() + (signature != null ? ", signed" : "") + "]";
  }
}
