package io.spacepanda.internal.node;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The text an inviter hands out: space id, inviter PeerId, addresses and inbox key, the one-time
 * secret and the expiry.
 *
 * <p>Text form: {@code "sp1"} followed by the URL-safe base64 (no padding) of the TLS encoding
 * {@code opaque spaceId; opaque inviter; opaque inboxKey; opaque secret; u64 expiresAtSeconds;
 * opaque addresses<V>}. Decoding is bounded ({@link #MAX_TEXT_LENGTH}).
 *
 * @param spaceId the space id
 * @param inviter the inviter's PeerId bytes
 * @param inboxKey the inviter's X25519 inbox key
 * @param secret the one-time secret, 16 bytes
 * @param expiresAtSeconds the expiry, epoch seconds by the inviter's clock
 * @param addresses the inviter's transport addresses
 */
public record InviteCode(byte[] spaceId, byte[] inviter, byte[] inboxKey, byte[] secret,
    long expiresAtSeconds, List<String> addresses) {

  /** The prefix of every code. */
  public static final String PREFIX = "sp1";

  /** Longest code accepted, in characters. */
  public static final int MAX_TEXT_LENGTH = 8192;

  /**
   * Copies the address list.
   *
   * @throws NullPointerException if a component is null
   */
  public InviteCode {
    Objects.requireNonNull(spaceId, "spaceId");
    Objects.requireNonNull(inviter, "inviter");
    Objects.requireNonNull(inboxKey, "inboxKey");
    Objects.requireNonNull(secret, "secret");
    addresses = List.copyOf(addresses);
  }

  /**
   * Returns the text form.
   *
   * @return the code
   */
  public String toText() {
    TlsWriter w = new TlsWriter().opaque(spaceId).opaque(inviter).opaque(inboxKey).opaque(secret)
        .u64(expiresAtSeconds);
    w.vector(addresses, (x, s) -> x.opaque(s.getBytes(StandardCharsets.UTF_8)));
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(w.toByteArray());
  }

  /**
   * Parses a code.
   *
   * @param text the code
   * @return the invite
   * @throws MlsDecodeException if the text is not a valid code
   */
  public static InviteCode parse(String text) throws MlsDecodeException {
    Objects.requireNonNull(text, "text");
    String t = text.strip();
    if (t.length() > MAX_TEXT_LENGTH || !t.startsWith(PREFIX)) {
      throw new MlsDecodeException("not an invite code");
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(t.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new MlsDecodeException("not an invite code");
    }
    return TlsReader.decodeExactly(bytes, r -> {
      byte[] space = r.opaque(NodeWire.MAX_FIELD);
      byte[] inviter = r.opaque(NodeWire.MAX_FIELD);
      byte[] inbox = r.opaque(NodeWire.MAX_FIELD);
      byte[] secret = r.opaque(NodeWire.MAX_FIELD);
      long expires = r.u64();
      List<String> addrs = r.vector(x -> new String(x.opaque(NodeWire.MAX_FIELD), StandardCharsets.UTF_8));
      if (addrs.size() > NodeWire.MAX_LIST || space.length == 0 || secret.length != 16) {
        throw new MlsDecodeException("invalid invite code");
      }
      return new InviteCode(space, inviter, inbox, secret, expires, addrs);
    });
  }

  @Override
  public String toString() {
    return "InviteCode[expiresAt=" + expiresAtSeconds + ", addresses=" + addresses + "]";
  }
}
