package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.crypto.SecretBytes;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik arbitraries for the space layer's values: ids, peers, names, contacts, operations,
 * invites, join requests and responses. Part of the test-jar, for apps that property-test code
 * handling these values.
 */
public final class SpaceArbitraries {

  private SpaceArbitraries() {}

  /** Byte arrays of a length in [min, max]. */
  public static Arbitrary<byte[]> bytes(int min, int max) {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
  }

  /** Space ids. */
  public static Arbitrary<SpaceId> spaceIds() {
    return bytes(16, 16).map(SpaceId::of);
  }

  /** Channel ids. */
  public static Arbitrary<ChannelId> channelIds() {
    return bytes(16, 16).map(ChannelId::of);
  }

  /** Operation ids. */
  public static Arbitrary<OpId> opIds() {
    return bytes(16, 16).map(OpId::of);
  }

  /** Ed25519 PeerIds of random keys. */
  public static Arbitrary<PeerId> peers() {
    return bytes(32, 32).map(PeerId::fromPublicKey);
  }

  /** Valid names with ASCII, Greek and three-byte characters, at most 75 UTF-8 bytes. */
  public static Arbitrary<String> names() {
    return Arbitraries.strings().withCharRange('a', 'z').withCharRange('α', 'ω')
        .withChars(' ', '-', '€', '日', '本').ofMinLength(1).ofMaxLength(25);
  }

  /** Valid multiaddr-like addresses of at most {@code maxBytes} bytes. */
  public static Arbitrary<String> addresses(int maxBytes) {
    return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(maxBytes);
  }

  /** Contacts with 0 to {@code maxAddresses} addresses of at most {@code maxBytes} bytes. */
  public static Arbitrary<Contact> contacts(int maxAddresses, int maxBytes) {
    return Combinators.combine(peers(), bytes(32, 32),
            addresses(maxBytes).list().ofMaxSize(maxAddresses))
        .as(Contact::new);
  }

  /**
   * Invite contacts with one or two relayed addresses ({@code …/p2p-circuit}, up to the version-2
   * length) and up to two direct ones, within the total limit of invite addresses.
   */
  public static Arbitrary<Contact> relayedInviteContacts() {
    Arbitrary<String> circuit = Arbitraries.strings().withCharRange('!', '~').ofMaxLength(
        SpaceConstants.MAX_INVITE_CIRCUIT_ADDRESS_BYTES - "/p2p-circuit".length()).map(a -> a + "/p2p-circuit");
    return Combinators.combine(peers(), bytes(32, 32), circuit.list().ofMinSize(1).ofMaxSize(2),
            addresses(SpaceConstants.MAX_INVITE_ADDRESS_BYTES).list().ofMaxSize(2))
        .as((peer, key, relayed, direct) -> {
          List<String> all = new java.util.ArrayList<>(direct);
          all.addAll(relayed);
          while (all.stream().mapToInt(String::length).sum() > SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES) {
            all.remove(0);
          }
          return new Contact(peer, key, all);
        });
  }

  /** Contacts within the general limits. */
  public static Arbitrary<Contact> contacts() {
    return contacts(SpaceConstants.MAX_ADDRESSES, 60);
  }

  /** Operation bodies of every type, with the given author for contact updates. */
  public static Arbitrary<SpaceOp.Body> bodies(PeerId author) {
    Arbitrary<List<OpId>> tags = opIds().list().ofMinSize(1).ofMaxSize(4);
    return Arbitraries.oneOf(
        Combinators.combine(channelIds(), names(), Arbitraries.integers().between(0, 255))
            .as(SpaceOp.CreateChannel::new),
        Combinators.combine(channelIds(), names()).as(SpaceOp.RenameChannel::new),
        channelIds().map(SpaceOp.DeleteChannel::new),
        Combinators.combine(peers(), Arbitraries.of(Role.class)).as(SpaceOp.SetRole::new),
        contacts().map(SpaceOp.MemberJoined::new),
        tags.map(SpaceOp.MemberLeft::new),
        Combinators.combine(peers(), tags).as(SpaceOp.MemberRemoved::new),
        names().map(SpaceOp.RenameSpace::new),
        peers().map(SpaceOp.TransferOwnership::new),
        Combinators.combine(bytes(32, 32), Arbitraries.longs().between(0,
            SpaceConstants.MAX_EXPIRY_SECONDS)).as(SpaceOp.IssueInvite::new),
        Combinators.combine(bytes(32, 32), peers()).as(SpaceOp.RedeemInvite::new),
        contacts().map(c -> new SpaceOp.UpdateContact(
            new Contact(author, c.inboxKey(), c.addresses()))));
  }

  /** Operations of every type. */
  public static Arbitrary<SpaceOp> ops() {
    return Combinators.combine(spaceIds(), peers(),
            Arbitraries.longs().between(1, SpaceConstants.MAX_LAMPORT))
        .flatAs((space, author, lamport) ->
            bodies(author).map(body -> SpaceOp.of(space, author, lamport, body)));
  }

  /**
   * Invite codes of every version: without fallback admins (1 and 2), with them (3), and signed
   * (4).
   */
  public static Arbitrary<InviteCode> invites() {
    return Arbitraries.oneOf(invitesWithoutAdmins(), invitesWithAdmins(), signedInvites());
  }

  /** Identity keys from random seeds. */
  public static Arbitrary<IdentityKey> identityKeys() {
    return bytes(32, 32).map(seed -> {
      try {
        return IdentityKey.fromSeed(SecretBytes.copyOf(seed));
      } catch (io.spacepanda.internal.crypto.KeyFormatException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /**
   * Signed invite codes (version 4): any invite of versions 1 to 3 re-made with an inviter whose
   * PeerId is a random identity key's, with 0 to 3 fallback admins, and signed by that key.
   */
  public static Arbitrary<InviteCode> signedInvites() {
    return Combinators.combine(Arbitraries.oneOf(invitesWithoutAdmins(), invitesWithAdmins()),
            identityKeys())
        .as((base, key) -> {
          Contact inviter = new Contact(key.peerId(), base.inviter().inboxKey(),
              base.inviter().addresses());
          List<Contact> admins = base.admins().stream()
              .filter(c -> !c.peer().equals(key.peerId())).toList();
          return InviteCode.signed(base.spaceId(), inviter, admins, base.secret(),
              base.expiresAt(), key);
        });
  }

  /** Grants of signed invite codes. */
  public static Arbitrary<InviteGrant> inviteGrants() {
    return signedInvites().map(c -> c.grant().orElseThrow());
  }

  /**
   * Version-3 invite codes: 1 to 3 fallback admins, each with up to two addresses (some relayed),
   * trimmed to the total limit of invite addresses.
   */
  public static Arbitrary<InviteCode> invitesWithAdmins() {
    Arbitrary<String> address = Arbitraries.oneOf(
        addresses(SpaceConstants.MAX_INVITE_ADDRESS_BYTES),
        Arbitraries.strings().withCharRange('!', '~').ofMaxLength(
            SpaceConstants.MAX_INVITE_CIRCUIT_ADDRESS_BYTES - "/p2p-circuit".length())
            .map(a -> a + "/p2p-circuit"));
    Arbitrary<Contact> admin = Combinators.combine(peers(), bytes(32, 32),
        address.list().ofMaxSize(SpaceConstants.MAX_INVITE_ADMIN_ADDRESSES)).as(Contact::new);
    return Combinators.combine(invitesWithoutAdmins(),
            admin.list().ofMinSize(1).ofMaxSize(SpaceConstants.MAX_INVITE_ADMINS)
                .uniqueElements(Contact::peer))
        .as((base, admins) -> {
          int room = SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES
              - base.inviter().addresses().stream().mapToInt(String::length).sum();
          List<Contact> fitted = new java.util.ArrayList<>();
          for (Contact c : admins) {
            if (c.peer().equals(base.inviter().peer())) {
              continue;
            }
            List<String> kept = new java.util.ArrayList<>();
            for (String a : c.addresses()) {
              if (a.length() <= room) {
                kept.add(a);
                room -= a.length();
              }
            }
            fitted.add(new Contact(c.peer(), c.inboxKey(), kept));
          }
          if (fitted.isEmpty()) {
            return base;
          }
          return InviteCode.of(base.spaceId(), base.inviter(), fitted, base.secret(),
              base.expiresAt());
        });
  }

  /** Invite codes of versions 1 and 2 (no fallback admins). */
  public static Arbitrary<InviteCode> invitesWithoutAdmins() {
    return Combinators.combine(spaceIds(),
            Arbitraries.oneOf(contacts(SpaceConstants.MAX_INVITE_ADDRESSES, SpaceConstants.MAX_INVITE_ADDRESS_BYTES),
                relayedInviteContacts()),
            bytes(SpaceConstants.MIN_INVITE_SECRET, SpaceConstants.MAX_INVITE_SECRET),
            Arbitraries.longs().between(0, SpaceConstants.MAX_EXPIRY_SECONDS))
        .as((space, inviter, secret, expiry) -> InviteCode.of(space, inviter,
            SecretBytes.copyOf(secret), Instant.ofEpochSecond(expiry)));
  }

  /** Join requests with small KeyPackages, with (version 2) and without a signed grant. */
  public static Arbitrary<JoinRequest> joinRequests() {
    Arbitrary<JoinRequest> plain = Combinators.combine(spaceIds(),
            bytes(SpaceConstants.MIN_INVITE_SECRET, SpaceConstants.MAX_INVITE_SECRET),
            contacts(), bytes(1, 300), bytes(1, 300).list().ofMaxSize(3))
        .as((space, secret, joiner, kp, channels) ->
            JoinRequest.of(space, SecretBytes.copyOf(secret), joiner, kp, channels));
    Arbitrary<JoinRequest> granted = Combinators.combine(signedInvites(), contacts(),
            bytes(1, 300), bytes(1, 300).list().ofMaxSize(3))
        .as((code, joiner, kp, channels) -> JoinRequest.forInvite(code, joiner, kp, channels));
    return Arbitraries.oneOf(plain, granted);
  }

  /** Accepted and refused join responses with small Welcomes, logs and member lists. */
  public static Arbitrary<JoinResponse> joinResponses() {
    Arbitrary<JoinResponse> refused = Combinators.combine(spaceIds(),
        Arbitraries.of(JoinResponse.Refusal.class)).as(JoinResponse::refused);
    Arbitrary<JoinResponse> accepted = Combinators.combine(spaceIds(), peers(), bytes(1, 300),
            Combinators.combine(channelIds(), bytes(1, 200)).as(JoinResponse.ChannelWelcome::new)
                .list().ofMaxSize(3).uniqueElements(JoinResponse.ChannelWelcome::channelId),
            Combinators.combine(peers(), Arbitraries.longs().between(1, 1000))
                .as((a, l) -> new Object[] {a, l}).list().ofMaxSize(5),
            contacts().list().ofMaxSize(4).uniqueElements(Contact::peer))
        .as((space, owner, welcome, channels, opSeeds, members) -> {
          List<SpaceOp> ops = opSeeds.stream()
              .map(s -> SpaceOp.of(space, (PeerId) s[0], (Long) s[1],
                  new SpaceOp.RenameSpace("n" + s[1])))
              .toList();
          return JoinResponse.accepted(space, owner, welcome, channels, ops, members);
        });
    return Arbitraries.oneOf(refused, accepted);
  }
}
