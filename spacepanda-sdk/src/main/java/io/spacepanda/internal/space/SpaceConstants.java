package io.spacepanda.internal.space;

/**
 * Every version number, length and limit of the space layer's wire formats (space operations,
 * invite codes, join requests and responses), in one place.
 */
public final class SpaceConstants {

  /** Version byte of the space operation format ({@link SpaceOp}). */
  public static final int OP_VERSION = 1;

  /** Version byte of the invite code format ({@link InviteCode}). */
  public static final int INVITE_VERSION = 1;

  /**
   * Version byte of invite codes that list a relayed address ({@code …/p2p-circuit}), which may be
   * longer than {@link #MAX_INVITE_ADDRESS_BYTES}; written only when needed, so other invites stay
   * readable by version-1 decoders.
   */
  public static final int INVITE_VERSION_RELAYED = 2;

  /**
   * Version byte of invite codes that list fallback admins besides the inviter, who can admit the
   * joiner while the inviter is away (issue 11); written only when the list is not empty.
   */
  public static final int INVITE_VERSION_ADMINS = 3;

  /**
   * Version byte of invite codes signed by the inviter ({@link InviteGrant}): they list 0 to
   * {@value #MAX_INVITE_ADMINS} fallback admins and end with the inviter's Ed25519 signature, so a
   * fallback admin that never saw the invite announced can check it (issue 11). Every invite a
   * node makes is of this version; versions 1 to 3 are still read.
   */
  public static final int INVITE_VERSION_SIGNED = 4;

  /** Longest encoded {@link InviteGrant} (the signed part of a version-4 code, about 900 bytes at most). */
  public static final int MAX_INVITE_GRANT_BYTES = 2048;

  /** Most fallback admins an invite code of version {@value #INVITE_VERSION_ADMINS} lists. */
  public static final int MAX_INVITE_ADMINS = 3;

  /** Most transport addresses an invite code lists for one fallback admin. */
  public static final int MAX_INVITE_ADMIN_ADDRESSES = 2;

  /** Version byte of join requests and join responses. */
  public static final int JOIN_VERSION = 1;

  /**
   * Version byte of join requests that carry the {@link InviteGrant} of a version-4 invite code;
   * written only then, so other requests stay readable by older managers.
   */
  public static final int JOIN_VERSION_GRANT = 2;

  /** Text prefix of an invite code; the {@code 1} is the invite format version. */
  public static final String INVITE_PREFIX = "sp1-";

  /** Length of a space id, a channel id and an operation id. */
  public static final int ID_LENGTH = 16;

  /** Longest space or channel name, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 100;

  /** Length of an X25519 inbox public key. */
  public static final int INBOX_KEY_LENGTH = 32;

  /** Most transport addresses a member's contact may list. */
  public static final int MAX_ADDRESSES = 8;

  /** Most transport addresses an invite code may list, to keep the code short. */
  public static final int MAX_INVITE_ADDRESSES = 4;

  /** Longest transport address (multiaddr text, printable ASCII), in bytes. */
  public static final int MAX_ADDRESS_BYTES = 200;

  /** Longest transport address an invite code may list, in bytes. */
  public static final int MAX_INVITE_ADDRESS_BYTES = 100;

  /**
   * Longest relayed address ({@code /p2p-circuit}) an invite code of version {@value
   * #INVITE_VERSION_RELAYED} may list, in bytes: an IPv6 relay address with its peer id fits.
   */
  public static final int MAX_INVITE_CIRCUIT_ADDRESS_BYTES = 160;

  /**
   * Most bytes of all addresses of an invite code together (4 of at most {@value
   * #MAX_INVITE_ADDRESS_BYTES}), which keeps every code within {@link #MAX_INVITE_TEXT}.
   */
  public static final int MAX_INVITE_ADDRESS_TOTAL_BYTES = 400;

  /** Most join tags a member removal or departure names. */
  public static final int MAX_OBSERVED_TAGS = 32;

  /** Largest Lamport clock an operation may carry (2^53, exact in every JSON number). */
  public static final long MAX_LAMPORT = 1L << 53;

  /** Largest channel kind code. */
  public static final int MAX_CHANNEL_KIND = 255;

  /** Channel kind code of an ordinary text channel. */
  public static final int CHANNEL_KIND_TEXT = 0;

  /** Shortest invite secret. */
  public static final int MIN_INVITE_SECRET = 16;

  /** Longest invite secret. */
  public static final int MAX_INVITE_SECRET = 32;

  /** Length of the secret {@link InviteCode#issue} generates. */
  public static final int INVITE_SECRET_LENGTH = 16;

  /** Bytes of the truncated SHA-256 checksum at the end of an invite code's binary form. */
  public static final int INVITE_CHECKSUM_LENGTH = 4;

  /** Latest expiry an invite may carry: 9999-12-31T23:59:59Z, in epoch seconds. */
  public static final long MAX_EXPIRY_SECONDS = 253402300799L;

  /** Length of an invite secret's hash ({@link InviteCode#secretHash()}): SHA-256. */
  public static final int SECRET_HASH_LENGTH = 32;

  /**
   * Longest invite code text {@link InviteCode#parse(String)} accepts: a version-4 code with
   * {@value #MAX_INVITE_ADMINS} fallback admins, {@value #MAX_INVITE_ADDRESS_TOTAL_BYTES} bytes
   * of addresses and its signature fits (about 1,370 characters at most; version 3 stays under
   * 1,300, versions 1 and 2 under 1,000).
   */
  public static final int MAX_INVITE_TEXT = 1400;

  /** Longest MLS KeyPackage a join request may carry. */
  public static final int MAX_KEY_PACKAGE_BYTES = 8 * 1024;

  /** Most channel KeyPackages a join request may carry. */
  public static final int MAX_CHANNEL_KEY_PACKAGES = 7;

  /** Longest MLS Welcome a join response may carry. */
  public static final int MAX_WELCOME_BYTES = 256 * 1024;

  /** Most channel Welcomes a join response may carry. */
  public static final int MAX_CHANNEL_WELCOMES = 7;

  /**
   * Length of an invite's id in space operations ({@link SpaceOp.IssueInvite}): the SHA-256 of its
   * secret, {@value #SECRET_HASH_LENGTH} bytes.
   */
  public static final int INVITE_ID_LENGTH = SECRET_HASH_LENGTH;

  /** Most operations of the metadata log a join response may carry. */
  public static final int MAX_LOG_OPS = 8192;

  /** Longest encoded operation (bounded by the limits above; checked when decoding). */
  public static final int MAX_OP_BYTES = 4096;

  /** Most members a join response may list. */
  public static final int MAX_MEMBERS = 4096;

  /** Largest join request or join response any decoder accepts. */
  public static final int MAX_JOIN_MESSAGE_BYTES = 1 << 20;

  private SpaceConstants() {}
}
