package io.spacepanda.internal.space;

import static io.spacepanda.internal.space.SpaceFixtures.ALICE;
import static io.spacepanda.internal.space.SpaceFixtures.SPACE;
import static io.spacepanda.internal.space.SpaceFixtures.contact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.InvalidInviteException;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.crypto.SecretBytes;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import io.spacepanda.internal.crypto.Base32;
import java.util.Arrays;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class InviteCodeTest {

  private static final Instant EXPIRY = Instant.parse("2030-01-01T00:00:00Z");
  private static final SecretBytes SECRET = SecretBytes.copyOf(new byte[] {
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});

  private static InviteCode invite() {
    return InviteCode.of(SPACE, contact(ALICE), SECRET, EXPIRY);
  }

  @Test
  void toTextParse_roundTrips() {
    InviteCode invite = invite();
    String text = invite.toText();
    assertTrue(text.startsWith("sp1-"), text);
    assertEquals(invite, InviteCode.parse(text));
    assertEquals(contact(ALICE), InviteCode.parse(text).inviter());
  }

  @Test
  void parse_ignoresCaseAndSurroundingSpace() {
    String text = invite().toText();
    assertEquals(invite(), InviteCode.parse("  " + text.toUpperCase() + "\n"));
  }

  @Test
  void issue_drawsFreshSixteenByteSecrets() {
    SecureRandom random = new SecureRandom();
    InviteCode a = InviteCode.issue(SPACE, contact(ALICE), EXPIRY, random);
    InviteCode b = InviteCode.issue(SPACE, contact(ALICE), EXPIRY, random);
    assertEquals(16, a.secret().length());
    assertFalse(a.secret().equals(b.secret()));
  }

  @Test
  void secretHash_isSha256OfSecret() throws Exception {
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(SECRET.exportSecret());
    assertArrayEquals(expected, invite().secretHash());
    assertArrayEquals(expected, InviteCode.hashSecret(SECRET));
  }

  @Test
  void isExpired_fromExpiryOn() {
    InviteCode invite = invite();
    assertFalse(invite.isExpired(EXPIRY.minusMillis(1)));
    assertTrue(invite.isExpired(EXPIRY));
    assertTrue(invite.isExpired(EXPIRY.plusSeconds(1)));
  }

  @Test
  void expiry_isTruncatedToSeconds() {
    InviteCode invite = InviteCode.of(SPACE, contact(ALICE), SECRET, EXPIRY.plusMillis(900));
    assertEquals(EXPIRY, InviteCode.parse(invite.toText()).expiresAt());
  }

  @Test
  void toString_neverShowsSecret() {
    String s = invite().toString();
    assertFalse(s.contains(HexFormat.of().formatHex(SECRET.exportSecret())));
    assertFalse(s.contains(invite().toText().substring(4, 40)));
  }

  @Test
  void parse_everySingleCharacterTypo_isCaught() {
    String text = invite().toText();
    String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    for (int i = 4; i < text.length(); i++) {
      char wrong = alphabet.charAt((alphabet.indexOf(text.charAt(i)) + 7) % 32);
      String typo = text.substring(0, i) + wrong + text.substring(i + 1);
      assertThrows(InvalidInviteException.class, () -> InviteCode.parse(typo), "index " + i);
    }
  }

  @Test
  void parse_errorMessage_neverRepeatsCode() {
    String text = invite().toText();
    String typo = text.substring(0, 10) + (text.charAt(10) == 'a' ? 'b' : 'a') + text.substring(11);
    InvalidInviteException e = assertThrows(InvalidInviteException.class,
        () -> InviteCode.parse(typo));
    assertFalse(e.getMessage().contains(text.substring(4, 20)));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void parse_wrongPrefixOrTruncatedOrJunk_failsTyped() {
    String text = invite().toText();
    for (String bad : List.of("", "sp1-", "sp2-" + text.substring(4), "xyz", text.substring(0, 30),
        text + "a", text + "aaaaaaaa", "sp1-!!!!", "sp1-" + "a".repeat(2000))) {
      assertThrows(InvalidInviteException.class, () -> InviteCode.parse(bad), bad);
    }
  }

  @Test
  void of_tooManyOrTooLongAddresses_fails() {
    byte[] key = contact(ALICE).inboxKey();
    Contact five = new Contact(ALICE, key, List.of("/a", "/b", "/c", "/d", "/e"));
    Contact longOne = new Contact(ALICE, key, List.of("/" + "x".repeat(120)));
    assertThrows(IllegalArgumentException.class,
        () -> InviteCode.of(SPACE, five, SECRET, EXPIRY));
    assertThrows(IllegalArgumentException.class,
        () -> InviteCode.of(SPACE, longOne, SECRET, EXPIRY));
    assertThrows(IllegalArgumentException.class,
        () -> InviteCode.of(SPACE, contact(ALICE), SecretBytes.copyOf(new byte[15]), EXPIRY));
  }

  @Test
  void toText_withLongestAllowedParts_staysParseable() {
    List<String> addresses = List.of("/" + "a".repeat(99), "/" + "b".repeat(99),
        "/" + "c".repeat(99), "/" + "d".repeat(99));
    Contact inviter = new Contact(SpaceFixtures.peer(9), new byte[32], addresses);
    InviteCode invite = InviteCode.of(SPACE, inviter, SecretBytes.copyOf(new byte[32]),
        Instant.ofEpochSecond(SpaceConstants.MAX_EXPIRY_SECONDS));
    assertTrue(invite.toText().length() <= SpaceConstants.MAX_INVITE_TEXT);
    assertEquals(invite, InviteCode.parse(invite.toText()));
  }

  @Test
  void relayedAddress_longerThanVersionOneAllows_makesAVersionTwoCode() {
    String relay = "/ip6/2001:db8:1234:5678:9abc:def0:1234:5678/tcp/4001/p2p/"
        + "12D3KooWGzBPcbk2ZvHcz6rv6AfGzX3SGH7c4qk5GXWyWJe7YwVa/p2p-circuit";
    assertTrue(relay.length() > SpaceConstants.MAX_INVITE_ADDRESS_BYTES, () -> "" + relay.length());
    Contact inviter = new Contact(ALICE, contact(ALICE).inboxKey(), List.of("/ip4/192.168.1.7/tcp/4001", relay));
    InviteCode invite = InviteCode.of(SPACE, inviter, SECRET, EXPIRY);
    byte[] bin = Base32.decode(invite.toText().substring(4));
    assertEquals(SpaceConstants.INVITE_VERSION_RELAYED, bin[0]);
    assertEquals(invite, InviteCode.parse(invite.toText()));
    assertEquals(SpaceConstants.INVITE_VERSION, Base32.decode(invite().toText().substring(4))[0],
        "invites without a long address stay version 1");
    // a long address that is not relayed, or too many bytes in all, is refused
    Contact longDirect = new Contact(ALICE, contact(ALICE).inboxKey(), List.of("/" + "x".repeat(120)));
    assertThrows(IllegalArgumentException.class, () -> InviteCode.of(SPACE, longDirect, SECRET, EXPIRY));
    Contact tooMuch = new Contact(ALICE, contact(ALICE).inboxKey(), List.of(relay + "/a".repeat(20),
        relay + "/b".repeat(20), relay + "/c".repeat(20)));
    assertThrows(IllegalArgumentException.class, () -> InviteCode.of(SPACE, tooMuch, SECRET, EXPIRY));
  }

  @Test
  void toText_withLongestRelayedAddresses_staysWithinTheTextLimit() {
    String circuit = "/" + "r".repeat(SpaceConstants.MAX_INVITE_CIRCUIT_ADDRESS_BYTES - 13) + "/p2p-circuit";
    String direct = "/" + "d".repeat(SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES - 2 * circuit.length() - 1);
    Contact inviter = new Contact(SpaceFixtures.peer(9), new byte[32], List.of(direct, circuit, circuit));
    InviteCode invite = InviteCode.of(SPACE, inviter, SecretBytes.copyOf(new byte[32]),
        Instant.ofEpochSecond(SpaceConstants.MAX_EXPIRY_SECONDS));
    assertTrue(invite.toText().length() <= SpaceConstants.MAX_INVITE_TEXT, () -> "" + invite.toText().length());
    assertEquals(invite, InviteCode.parse(invite.toText()));
  }

  private static Contact admin(int n, String... addresses) {
    return new Contact(SpaceFixtures.peer(n), contact(SpaceFixtures.peer(n)).inboxKey(),
        List.of(addresses));
  }

  @Test
  void fallbackAdmins_makeAVersionThreeCode_thatRoundTrips() {
    InviteCode invite = InviteCode.of(SPACE, contact(ALICE),
        List.of(admin(20, "/ip4/10.0.0.2/tcp/4001"), admin(21)), SECRET, EXPIRY);
    byte[] bin = Base32.decode(invite.toText().substring(4));
    assertEquals(SpaceConstants.INVITE_VERSION_ADMINS, bin[0]);
    InviteCode back = InviteCode.parse(invite.toText());
    assertEquals(invite, back);
    assertEquals(List.of(admin(20, "/ip4/10.0.0.2/tcp/4001"), admin(21)), back.admins());
    assertEquals(List.of(), invite().admins(), "older codes list no admins");
    assertEquals(SpaceConstants.INVITE_VERSION, Base32.decode(invite().toText().substring(4))[0]);
  }

  @Test
  void fallbackAdmins_outOfBounds_fail() {
    List<Contact> four = List.of(admin(20), admin(21), admin(22), admin(23));
    assertThrows(IllegalArgumentException.class,
        () -> InviteCode.of(SPACE, contact(ALICE), four, SECRET, EXPIRY));
    assertThrows(IllegalArgumentException.class,
        () -> InviteCode.of(SPACE, contact(ALICE), List.of(admin(20), admin(20)), SECRET, EXPIRY));
    assertThrows(IllegalArgumentException.class, () -> InviteCode.of(SPACE, contact(ALICE),
        List.of(new Contact(ALICE, contact(ALICE).inboxKey(), List.of())), SECRET, EXPIRY));
    assertThrows(IllegalArgumentException.class, () -> InviteCode.of(SPACE, contact(ALICE),
        List.of(admin(20, "/a", "/b", "/c")), SECRET, EXPIRY));
    String hundred = "/" + "x".repeat(99);
    Contact full = new Contact(ALICE, contact(ALICE).inboxKey(), List.of(hundred, hundred, hundred));
    assertThrows(IllegalArgumentException.class, () -> InviteCode.of(SPACE, full,
        List.of(admin(20, hundred, hundred)), SECRET, EXPIRY), "more than 400 address bytes in all");
  }

  @Test
  void versionThreeWithoutAdmins_orWithTooManyOrDuplicates_isRefused() {
    InviteCode invite = InviteCode.of(SPACE, contact(ALICE), List.of(admin(20)), SECRET, EXPIRY);
    byte[] bin = Base32.decode(invite.toText().substring(4));
    byte[] body = Arrays.copyOf(bin, bin.length - 4);
    int adminStart = Base32.decode(InviteCode.of(SPACE, contact(ALICE), SECRET, EXPIRY).toText()
        .substring(4)).length - 4;
    // count 0 with nothing after it
    byte[] none = Arrays.copyOf(body, adminStart + 1);
    none[adminStart] = 0;
    // the same admin twice
    byte[] adminBytes = Arrays.copyOfRange(body, adminStart + 1, body.length);
    byte[] twice = Arrays.copyOf(body, body.length + adminBytes.length);
    twice[adminStart] = 2;
    System.arraycopy(adminBytes, 0, twice, body.length, adminBytes.length);
    // count 4
    byte[] four = body.clone();
    four[adminStart] = 4;
    for (byte[] bad : List.of(none, twice, four)) {
      byte[] withSum = Arrays.copyOf(bad, bad.length + 4);
      System.arraycopy(InviteCode.checksum(bad), 0, withSum, bad.length, 4);
      assertThrows(InvalidInviteException.class, () -> InviteCode.parse("sp1-" + Base32.encode(withSum)));
    }
  }

  @Test
  void toText_versionThreeWithLongestParts_staysWithinTheTextLimit() {
    String circuit = "/" + "r".repeat(SpaceConstants.MAX_INVITE_CIRCUIT_ADDRESS_BYTES - 13) + "/p2p-circuit";
    String rest = "/" + "d".repeat(SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES - 2 * circuit.length() - 1);
    Contact inviter = new Contact(SpaceFixtures.peer(9), new byte[32], List.of(circuit));
    List<Contact> admins = List.of(admin(20, circuit), admin(21, rest), admin(22));
    InviteCode invite = InviteCode.of(SPACE, inviter, admins, SecretBytes.copyOf(new byte[32]),
        Instant.ofEpochSecond(SpaceConstants.MAX_EXPIRY_SECONDS));
    assertTrue(invite.toText().length() <= SpaceConstants.MAX_INVITE_TEXT, () -> "" + invite.toText().length());
    assertEquals(invite, InviteCode.parse(invite.toText()));
  }

  @Test
  void toText_typicalInvite_isUnderThreeHundredCharacters() {
    assertTrue(invite().toText().length() < 300, invite().toText());
  }

  private static final IdentityKey ALICE_KEY = key(2);
  private static final Contact SIGNER = new Contact(ALICE_KEY.peerId(), contact(ALICE).inboxKey(),
      List.of("/ip4/10.0.0.1/tcp/4001"));

  static IdentityKey key(int n) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) n);
    try {
      return IdentityKey.fromSeed(SecretBytes.copyOf(seed));
    } catch (io.spacepanda.internal.crypto.KeyFormatException e) {
      throw new AssertionError(e);
    }
  }

  private static InviteCode signed(List<Contact> admins) {
    return InviteCode.signed(SPACE, SIGNER, admins, SECRET, EXPIRY, ALICE_KEY);
  }

  /** A version-4 code of the given parts and signature, written field by field. */
  private static String v4Text(SpaceId space, long expiry, Contact inviter, List<Contact> admins,
      byte[] signature) {
    WireWriter w = new WireWriter();
    w.u8(4).fixed(space.rawBytes()).opaque8(SECRET.exportSecret()).u64(expiry);
    inviter.write(w);
    w.u8(admins.size());
    for (Contact c : admins) {
      c.write(w);
    }
    w.fixed(signature);
    byte[] body = w.toByteArray();
    byte[] bin = Arrays.copyOf(body, body.length + 4);
    System.arraycopy(InviteCode.checksum(body), 0, bin, body.length, 4);
    return "sp1-" + Base32.encode(bin);
  }

  @Test
  void signed_makesAVersionFourCode_thatRoundTripsAndVerifies() {
    for (List<Contact> admins : List.of(List.<Contact>of(), List.of(admin(20, "/ip4/10.0.0.2/tcp/1")),
        List.of(admin(20), admin(21), admin(22)))) {
      InviteCode invite = signed(admins);
      assertEquals(SpaceConstants.INVITE_VERSION_SIGNED,
          Base32.decode(invite.toText().substring(4))[0]);
      InviteCode back = InviteCode.parse(invite.toText());
      assertEquals(invite, back);
      assertEquals(admins, back.admins());
      InviteGrant grant = back.grant().orElseThrow();
      assertTrue(grant.verifies());
      assertArrayEquals(invite.secretHash(), grant.secretHash());
      assertEquals(EXPRIY_SECONDS, grant.expiresAtSeconds());
      assertEquals(SIGNER, grant.inviter());
      assertEquals(admins, grant.admins());
    }
    assertTrue(invite().grant().isEmpty(), "codes of versions 1 to 3 are not signed");
  }

  private static final long EXPRIY_SECONDS = EXPIRY.getEpochSecond();

  @Test
  void signed_byAKeyOtherThanTheInviters_fails() {
    assertThrows(IllegalArgumentException.class, () -> InviteCode.signed(SPACE, contact(ALICE),
        List.of(), SECRET, EXPIRY, ALICE_KEY));
    assertThrows(IllegalArgumentException.class, () -> InviteCode.signed(SPACE, SIGNER,
        List.of(), SECRET, EXPIRY, key(3)));
  }

  @Test
  void signed_alteredInAnyPart_isRefusedAtParse() {
    List<Contact> admins = List.of(admin(20, "/ip4/10.0.0.2/tcp/1"), admin(21));
    InviteCode invite = signed(admins);
    byte[] sig = invite.grant().orElseThrow().signature();
    // The helper writes exactly the encoder's bytes: unaltered, it parses.
    assertEquals(invite.toText(), v4Text(SPACE, EXPRIY_SECONDS, SIGNER, admins, sig));
    Contact impostor = new Contact(key(3).peerId(), SIGNER.inboxKey(), SIGNER.addresses());
    List<String> altered = List.of(
        v4Text(SPACE, EXPRIY_SECONDS + 1, SIGNER, admins, sig),
        v4Text(SpaceId.of(SpaceFixtures.filled(0x5b)), EXPRIY_SECONDS, SIGNER, admins, sig),
        v4Text(SPACE, EXPRIY_SECONDS, SIGNER, admins.subList(0, 1), sig),
        v4Text(SPACE, EXPRIY_SECONDS, SIGNER, List.of(admins.get(1), admins.get(0)), sig),
        v4Text(SPACE, EXPRIY_SECONDS, SIGNER, List.of(admins.get(0), admins.get(1), admin(5)), sig),
        v4Text(SPACE, EXPRIY_SECONDS, SIGNER, List.of(admin(20, "/ip4/6.6.6.6/tcp/1"),
            admins.get(1)), sig),
        v4Text(SPACE, EXPRIY_SECONDS, new Contact(SIGNER.peer(), new byte[32],
            SIGNER.addresses()), admins, sig),
        v4Text(SPACE, EXPRIY_SECONDS, impostor, admins, sig),
        v4Text(SPACE, EXPRIY_SECONDS, SIGNER, admins, new byte[64]));
    for (String text : altered) {
      InvalidInviteException e = assertThrows(InvalidInviteException.class,
          () -> InviteCode.parse(text));
      assertTrue(e.getMessage().contains("signature"), e.getMessage());
    }
    // Re-signed by someone else, the code parses, but names that someone as the inviter.
    InviteCode forged = InviteCode.signed(SPACE, impostor, admins, SECRET, EXPIRY, key(3));
    assertEquals(impostor.peer(), InviteCode.parse(forged.toText()).grant().orElseThrow()
        .inviter().peer());
  }

  @Test
  void signed_withAPeerIdWithoutAnInlinedKey_isRefused() {
    // A sha2-256 multihash peer id (as for RSA keys) carries no Ed25519 key to verify against.
    byte[] mh = new byte[34];
    mh[0] = 0x12;
    mh[1] = 32;
    Contact rsa = new Contact(io.spacepanda.PeerId.fromBytes(mh), new byte[32], List.of());
    String text = v4Text(SPACE, EXPRIY_SECONDS, rsa, List.of(), new byte[64]);
    assertThrows(InvalidInviteException.class, () -> InviteCode.parse(text));
  }

  @Test
  void toText_versionFourWithLongestParts_staysWithinTheTextLimit() {
    String circuit = "/" + "r".repeat(SpaceConstants.MAX_INVITE_CIRCUIT_ADDRESS_BYTES - 13) + "/p2p-circuit";
    String rest = "/" + "d".repeat(SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES - 2 * circuit.length() - 1);
    Contact inviter = new Contact(ALICE_KEY.peerId(), new byte[32], List.of(circuit));
    List<Contact> admins = List.of(admin(20, circuit), admin(21, rest), admin(22));
    InviteCode invite = InviteCode.signed(SPACE, inviter, admins, SecretBytes.copyOf(new byte[32]),
        Instant.ofEpochSecond(SpaceConstants.MAX_EXPIRY_SECONDS), ALICE_KEY);
    assertTrue(invite.toText().length() <= SpaceConstants.MAX_INVITE_TEXT, () -> "" + invite.toText().length());
    assertEquals(invite, InviteCode.parse(invite.toText()));
    assertTrue(invite.grant().orElseThrow().encode().length <= SpaceConstants.MAX_INVITE_GRANT_BYTES);
  }

  @Property(tries = 200)
  void parse_toText_roundTripsSigned(@ForAll("signedInvites") InviteCode invite) {
    InviteCode back = InviteCode.parse(invite.toText());
    assertEquals(invite, back);
    assertEquals(invite.toText(), back.toText());
    assertTrue(back.grant().orElseThrow().verifies());
  }

  @Property(tries = 500)
  void parse_mutatedSignedBody_withValidChecksum_isRefused(
      @ForAll("signedInvites") InviteCode invite, @ForAll @IntRange(min = 0, max = 2000) int at,
      @ForAll byte value) {
    byte[] bin = Base32.decode(invite.toText().substring(4));
    byte[] body = Arrays.copyOf(bin, bin.length - 4);
    int i = at % body.length;
    if (body[i] == value) {
      return;
    }
    body[i] = value;
    byte[] withSum = Arrays.copyOf(body, body.length + 4);
    System.arraycopy(InviteCode.checksum(body), 0, withSum, body.length, 4);
    String text = "sp1-" + Base32.encode(withSum);
    // Any change to a signed code's body is refused: the secret is signed through its hash, and
    // another version byte leaves the signature as trailing bytes of another layout.
    assertThrows(InvalidInviteException.class, () -> InviteCode.parse(text), "byte " + i);
  }

  @Provide
  Arbitrary<InviteCode> signedInvites() {
    return SpaceArbitraries.signedInvites();
  }

  @Property(tries = 300)
  void parse_toText_roundTrips(@ForAll("invites") InviteCode invite) {
    InviteCode back = InviteCode.parse(invite.toText());
    assertEquals(invite, back);
    assertEquals(invite.toText(), back.toText());
    assertArrayEquals(invite.secretHash(), back.secretHash());
  }

  @Property(tries = 1000)
  void parse_randomText_failsTypedOnly(@ForAll @Size(max = 300) String text) {
    parseStrict(text);
    parseStrict("sp1-" + text);
  }

  @Property(tries = 1000)
  void parse_mutatedCode_failsTypedOnly(@ForAll("invites") InviteCode invite,
      @ForAll @IntRange(min = 0, max = 2000) int at, @ForAll char c) {
    String text = invite.toText();
    int i = at % text.length();
    parseStrict(text.substring(0, i) + c + text.substring(i + 1));
    parseStrict(text.substring(0, i));
  }

  @Property(tries = 1000)
  void parse_mutatedBodyWithValidChecksum_failsTypedOrIsCanonical(
      @ForAll("invites") InviteCode invite, @ForAll @IntRange(min = 0, max = 2000) int at,
      @ForAll byte value, @ForAll boolean truncate) {
    byte[] bin = Base32.decode(invite.toText().substring(4));
    byte[] body = Arrays.copyOf(bin, bin.length - 4);
    int i = at % body.length;
    if (truncate) {
      body = Arrays.copyOf(body, i);
    } else {
      body[i] = value;
    }
    byte[] withSum = Arrays.copyOf(body, body.length + 4);
    System.arraycopy(InviteCode.checksum(body), 0, withSum, body.length, 4);
    parseStrict("sp1-" + Base32.encode(withSum));
  }

  /** Parsing fails with the typed exception, or yields an invite whose text is the input. */
  private static void parseStrict(String text) {
    InviteCode invite;
    try {
      invite = InviteCode.parse(text);
    } catch (InvalidInviteException e) {
      return;
    }
    assertEquals(text.strip().toLowerCase(java.util.Locale.ROOT), invite.toText());
  }

  @Provide
  Arbitrary<InviteCode> invites() {
    return SpaceArbitraries.invites();
  }
}
