package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.internal.space.SpaceOp.Body;
import io.spacepanda.internal.space.SpaceOp.CreateChannel;
import io.spacepanda.internal.space.SpaceOp.DeleteChannel;
import io.spacepanda.internal.space.SpaceOp.MemberJoined;
import io.spacepanda.internal.space.SpaceOp.MemberLeft;
import io.spacepanda.internal.space.SpaceOp.MemberRemoved;
import io.spacepanda.internal.space.SpaceOp.RenameChannel;
import io.spacepanda.internal.space.SpaceOp.RenameSpace;
import io.spacepanda.internal.space.SpaceOp.SetRole;
import io.spacepanda.internal.space.SpaceOp.TransferOwnership;
import io.spacepanda.internal.space.SpaceOp.UpdateContact;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A space's metadata as a conflict-free replicated state: the set of {@link SpaceOp}s received so
 * far, and what they mean.
 *
 * <p><b>Design.</b> The state is a pure function of the <em>set</em> of operations: they are
 * evaluated one by one in the total order (Lamport, author PeerId, operation id), each against the
 * roles and membership produced by the operations before it, so every replica holding the same set
 * computes the same {@link SpaceView}, whatever the arrival order and however many duplicates. An
 * operation that sorts after everything applied so far is evaluated incrementally; one that
 * arrives late (sorts earlier) makes the state re-evaluate the whole log, which is how a late
 * demotion also cancels the later operations of the demoted member. The merge rules this yields:
 *
 * <ul>
 *   <li><b>Registers</b> (space name, channel names, roles, contacts): last writer wins, "last"
 *       meaning greatest (Lamport, author PeerId, operation id) among the operations that took
 *       effect; equal clocks are decided by the PeerId, as unsigned bytes.
 *   <li><b>Members</b>: an observed-remove set, <b>add wins</b>. Each {@link MemberJoined} adds a
 *       tag (its operation id); {@link MemberLeft} and {@link MemberRemoved} remove only the tags
 *       they name, which are the joins their author had seen. A join concurrent with a removal
 *       therefore survives it, in either order. Leaving or being removed resets the member's role
 *       to {@link Role#MEMBER}; a member whose last tag is removed is gone, with its contact.
 *   <li><b>Channels</b>: an observed-remove set in which each channel id has exactly one add, its
 *       {@link CreateChannel}; a delete is only possible after seeing it, and ids are never
 *       reused, so a deleted channel stays deleted and a rename after the delete does nothing.
 *   <li><b>Owner</b>: at most one member is {@link Role#OWNER}. The creator, given to the
 *       constructor, starts as owner and member (its membership is the implicit join {@link
 *       #founderTag}); only the owner can hand the role on ({@link TransferOwnership}, after which
 *       it is an admin), nobody can demote or remove the owner, and the owner can leave: then the
 *       space has no owner for good and its admins keep managing it ({@link #governance()}).
 *   <li><b>Invites</b>: a grow-only map from invite id to its issue ({@link SpaceOp.IssueInvite},
 *       one per id, by an owner or admin) and its first effective redemption ({@link
 *       SpaceOp.RedeemInvite}, by an owner or admin, of an issued invite not yet redeemed): once
 *       used, an invite stays used ({@link #invite}).
 * </ul>
 *
 * <p><b>Authorization</b> (see {@link Role}): an operation takes effect only if its author is a
 * member whose role allows it at the operation's position in the order; otherwise it is kept (so
 * every replica counts it the same), has no effect, and is counted in {@link
 * SpaceView#rejectedCount()}. A member's own operations after its removal are rejected, and are
 * accepted again if a late operation shows it was still a member then.
 *
 * <p><b>Lamport clocks.</b> An operation is in range if its clock is at most one more than the
 * largest clock of the in-range operations before it; one that jumps further ahead is rejected,
 * so that a member cannot push the space's clock to its limit. Being in range only grows as more
 * operations arrive, so an honest author, who uses {@link #nextLamport()}, is always in range.
 *
 * <p><b>Threading.</b> Not thread-safe: confine an instance to one thread (the space's executor).
 * {@link #view()} returns an immutable snapshot that may be published to other threads.
 */
public final class SpaceState {

  /** How {@link #apply(SpaceOp)} treated an operation. */
  public enum Outcome {
    /** The operation was new; the view now reflects it (whether or not it took effect). */
    ADDED,
    /** The operation was already held; nothing changed. */
    DUPLICATE
  }

  private final SpaceId spaceId;
  private final PeerId founder;
  private final OpId founderTag;
  private final TreeSet<SpaceOp> log = new TreeSet<>();
  private final Map<OpId, SpaceOp> byId = new HashMap<>();

  // Materialized state, a function of the log; rebuilt by replay().
  private String name;
  private final LinkedHashMap<ChannelId, ChannelInfo> channels = new LinkedHashMap<>();
  private final Set<ChannelId> usedChannelIds = new HashSet<>();
  private final Map<PeerId, Set<OpId>> joins = new HashMap<>();
  private final Map<PeerId, Role> roles = new HashMap<>();
  private final Map<PeerId, Contact> contacts = new HashMap<>();
  /** The current owner, or null once the owner left. */
  private PeerId owner;
  /** The latest owner, left or not. */
  private PeerId lastOwner;
  private final Set<OpId> rejected = new HashSet<>();
  /** Issued invites by hex id. */
  private final Map<String, Invite> invites = new HashMap<>();
  private long maxLamport;
  private SpaceOp last;
  /** What the last {@link #apply} made effective among operations added before it. */
  private List<SpaceOp> newlyEffective = List.of();
  private SpaceView view;

  /**
   * Creates the state of a space with no operations yet.
   *
   * @param spaceId the space
   * @param owner the space's creator, its owner for good
   */
  public SpaceState(SpaceId spaceId, PeerId owner) {
    this.spaceId = Objects.requireNonNull(spaceId, "spaceId");
    this.founder = Objects.requireNonNull(owner, "owner");
    this.founderTag = founderTag(spaceId);
    reset();
  }

  /**
   * Returns the implicit join tag of a space's creator: the first {@value
   * SpaceConstants#ID_LENGTH} bytes of SHA-256 over "spacepanda founder" and the space id. The
   * creator leaves by naming it in a {@link MemberLeft}.
   *
   * @param spaceId the space
   * @return the tag
   */
  public static OpId founderTag(SpaceId spaceId) {
    byte[] label = "spacepanda founder".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] id = spaceId.rawBytes();
    byte[] in = java.util.Arrays.copyOf(label, label.length + id.length);
    System.arraycopy(id, 0, in, label.length, id.length);
    return OpId.of(java.util.Arrays.copyOf(SpaceOp.sha256(in), SpaceConstants.ID_LENGTH));
  }

  private void reset() {
    name = null;
    channels.clear();
    usedChannelIds.clear();
    joins.clear();
    roles.clear();
    contacts.clear();
    rejected.clear();
    invites.clear();
    maxLamport = 0;
    last = null;
    owner = founder;
    lastOwner = founder;
    joins.computeIfAbsent(founder, k -> new HashSet<>()).add(founderTag);
    roles.put(founder, Role.OWNER);
  }

  /**
   * Creates the state of a space from a log of operations, in any order, duplicates allowed.
   *
   * @param spaceId the space
   * @param owner the space's creator
   * @param ops the operations
   * @return the state
   * @throws IllegalArgumentException if an operation belongs to another space
   */
  public static SpaceState of(SpaceId spaceId, PeerId owner, Collection<SpaceOp> ops) {
    SpaceState s = new SpaceState(spaceId, owner);
    s.applyAll(ops);
    return s;
  }

  private void checkSpace(SpaceOp op) {
    Objects.requireNonNull(op, "op");
    if (!op.spaceId().equals(spaceId)) {
      throw new IllegalArgumentException(
          "operation " + op.id() + " belongs to space " + op.spaceId() + ", not " + spaceId);
    }
  }

  /**
   * Adds an operation to the state, whatever its author and order, and re-evaluates as needed.
   *
   * <p>The caller must first have checked that the operation's author is the MLS-authenticated
   * sender that delivered it (or this node, for its own operations).
   *
   * @param op the operation
   * @return {@link Outcome#ADDED} if it was new, {@link Outcome#DUPLICATE} if already held
   * @throws IllegalArgumentException if the operation belongs to another space
   */
  public Outcome apply(SpaceOp op) {
    checkSpace(op);
    newlyEffective = List.of();
    if (byId.putIfAbsent(op.id(), op) != null) {
      return Outcome.DUPLICATE;
    }
    log.add(op);
    if (last == null || op.compareTo(last) > 0) {
      step(op);
    } else {
      // An earlier operation arrived late: operations after it that waited for it (refused for
      // a gap in the Lamport clock, or for a role it grants) may now take effect.
      Set<OpId> refusedBefore = new HashSet<>(rejected);
      replay();
      List<SpaceOp> now = new ArrayList<>();
      for (OpId id : refusedBefore) {
        if (!rejected.contains(id)) {
          now.add(byId.get(id));
        }
      }
      now.sort(null);
      newlyEffective = now;
    }
    view = null;
    return Outcome.ADDED;
  }

  /**
   * Returns the operations that the last {@link #apply} made effective although they had been
   * added before it: they waited for an earlier operation that arrived out of order. Their
   * effects outside this state (asking to join a created channel, learning a contact) are due
   * now. The operation applied itself is not listed.
   *
   * @return the operations, in evaluation order; empty after an in-order apply
   */
  public List<SpaceOp> lastNewlyEffective() {
    return newlyEffective;
  }

  /**
   * Adds many operations at once, re-evaluating the log at most once; for a batch received by
   * sync or loaded from storage.
   *
   * @param ops the operations, any order, duplicates allowed
   * @return how many of them were new
   * @throws IllegalArgumentException if an operation belongs to another space; then none is added
   */
  public int applyAll(Collection<SpaceOp> ops) {
    newlyEffective = List.of();
    for (SpaceOp op : ops) {
      checkSpace(op);
    }
    List<SpaceOp> fresh = new ArrayList<>();
    for (SpaceOp op : ops) {
      if (byId.putIfAbsent(op.id(), op) == null) {
        log.add(op);
        fresh.add(op);
      }
    }
    if (fresh.isEmpty()) {
      return 0;
    }
    fresh.sort(null);
    if (last == null || fresh.get(0).compareTo(last) > 0) {
      for (SpaceOp op : fresh) {
        step(op);
      }
    } else {
      replay();
    }
    view = null;
    return fresh.size();
  }

  private void replay() {
    reset();
    for (SpaceOp op : log) {
      step(op);
    }
    view = null;
  }

  private void step(SpaceOp op) {
    last = op;
    if (op.lamport() > maxLamport + 1) {
      rejected.add(op.id());
      return;
    }
    maxLamport = Math.max(maxLamport, op.lamport());
    if (allowed(op.author(), op.body())) {
      mutate(op);
    } else {
      rejected.add(op.id());
    }
  }

  private Role roleOf(PeerId peer) {
    return roles.get(peer);
  }

  /** The authorization rules of {@link Role}, against the current materialized state. */
  private boolean allowed(PeerId author, Body body) {
    Role r = roleOf(author);
    if (r == null) {
      return false;
    }
    boolean manager = r == Role.OWNER || r == Role.ADMIN;
    if (body instanceof CreateChannel b) {
      return manager && !usedChannelIds.contains(b.channelId());
    } else if (body instanceof RenameChannel b) {
      return manager && channels.containsKey(b.channelId());
    } else if (body instanceof DeleteChannel b) {
      return manager && channels.containsKey(b.channelId());
    } else if (body instanceof RenameSpace) {
      return manager;
    } else if (body instanceof SetRole b) {
      Role current = roles.get(b.member());
      if (b.role() == Role.OWNER || current == null || current == Role.OWNER) {
        return false;
      }
      if (r == Role.OWNER) {
        return true;
      }
      boolean promote = r == Role.ADMIN && b.role() == Role.ADMIN && current == Role.MEMBER;
      boolean stepDown = r == Role.ADMIN && b.member().equals(author) && b.role() == Role.MEMBER;
      return promote || stepDown;
    } else if (body instanceof MemberJoined b) {
      if (b.contact().peer().equals(founder) && roles.containsKey(founder)) {
        // The creator's contact, published by itself while it is a member.
        return founder.equals(author);
      }
      return manager;
    } else if (body instanceof MemberLeft) {
      return true;
    } else if (body instanceof MemberRemoved b) {
      Role target = roles.get(b.member());
      if (target == null || target == Role.OWNER) {
        return false;
      }
      return r == Role.OWNER || (r == Role.ADMIN && target == Role.MEMBER);
    } else if (body instanceof TransferOwnership b) {
      Role target = roles.get(b.newOwner());
      return r == Role.OWNER && target != null && !b.newOwner().equals(author);
    } else if (body instanceof SpaceOp.IssueInvite b) {
      return manager && !invites.containsKey(hex(b.inviteId()));
    } else if (body instanceof SpaceOp.RedeemInvite b) {
      Invite i = invites.get(hex(b.inviteId()));
      return manager && i != null && i.redeemedBy() == null;
    } else {
      return body instanceof UpdateContact;
    }
  }

  private void mutate(SpaceOp op) {
    Body body = op.body();
    if (body instanceof CreateChannel b) {
      usedChannelIds.add(b.channelId());
      channels.put(b.channelId(), new ChannelInfo(b.channelId(), b.name(), b.kind(), op.author()));
    } else if (body instanceof RenameChannel b) {
      ChannelInfo c = channels.get(b.channelId());
      channels.put(b.channelId(), new ChannelInfo(c.channelId(), b.name(), c.kind(), c.creator()));
    } else if (body instanceof DeleteChannel b) {
      channels.remove(b.channelId());
    } else if (body instanceof RenameSpace b) {
      name = b.name();
    } else if (body instanceof SetRole b) {
      roles.put(b.member(), b.role());
    } else if (body instanceof MemberJoined b) {
      PeerId p = b.contact().peer();
      if (!p.equals(founder) || !roles.containsKey(founder)) {
        joins.computeIfAbsent(p, k -> new HashSet<>()).add(op.id());
        roles.putIfAbsent(p, Role.MEMBER);
      }
      contacts.put(p, b.contact());
    } else if (body instanceof MemberLeft b) {
      removeJoins(op.author(), b.observedJoins());
    } else if (body instanceof MemberRemoved b) {
      removeJoins(b.member(), b.observedJoins());
    } else if (body instanceof UpdateContact b) {
      contacts.put(op.author(), b.contact());
    } else if (body instanceof TransferOwnership b) {
      roles.put(op.author(), Role.ADMIN);
      roles.put(b.newOwner(), Role.OWNER);
      owner = b.newOwner();
      lastOwner = owner;
    } else if (body instanceof SpaceOp.IssueInvite b) {
      invites.put(hex(b.inviteId()), new Invite(op.author(), b.expiresAtSeconds(), null));
    } else if (body instanceof SpaceOp.RedeemInvite b) {
      Invite i = invites.get(hex(b.inviteId()));
      invites.put(hex(b.inviteId()), new Invite(i.issuer(), i.expiresAtSeconds(), b.member()));
    }
  }

  private static String hex(byte[] id) {
    return java.util.HexFormat.of().formatHex(id);
  }

  /**
   * An invite recorded in the space's metadata.
   *
   * @param issuer the owner or admin who issued it
   * @param expiresAtSeconds its expiry, in epoch seconds
   * @param redeemedBy the member admitted with it, or null while unused
   */
  public record Invite(PeerId issuer, long expiresAtSeconds, PeerId redeemedBy) {
    /**
     * Tells whether the invite has expired at {@code now}: from its expiry on.
     *
     * @param now the current time
     * @return true if expired
     */
    public boolean isExpired(java.time.Instant now) {
      return now.getEpochSecond() >= expiresAtSeconds;
    }
  }

  /**
   * Returns an invite issued in this space ({@link SpaceOp.IssueInvite}), with its redemption.
   *
   * @param inviteId the invite id, the SHA-256 of its secret
   * @return the invite, or empty if no effective issue of it is held
   */
  public Optional<Invite> invite(byte[] inviteId) {
    Objects.requireNonNull(inviteId, "inviteId");
    return Optional.ofNullable(invites.get(hex(inviteId)));
  }

  private void removeJoins(PeerId member, List<OpId> tags) {
    Set<OpId> live = joins.get(member);
    if (live == null || !live.removeAll(tags)) {
      return;
    }
    if (member.equals(owner)) {
      // The owner leaves (nobody can remove it): the space has no owner from now on.
      owner = null;
    }
    if (live.isEmpty()) {
      joins.remove(member);
      roles.remove(member);
      contacts.remove(member);
    } else {
      roles.put(member, Role.MEMBER);
    }
  }

  /**
   * Returns the space's id.
   *
   * @return the id
   */
  public SpaceId spaceId() {
    return spaceId;
  }

  /**
   * Returns the space's creator, its first owner.
   *
   * @return the creator's PeerId
   */
  public PeerId owner() {
    return founder;
  }

  /**
   * Returns the current owner.
   *
   * @return the owner, or empty once the owner left the space
   */
  public Optional<PeerId> currentOwner() {
    return Optional.ofNullable(owner);
  }

  /**
   * Returns the latest owner: the current one, or the one that left.
   *
   * @return the PeerId
   */
  public PeerId lastOwner() {
    return lastOwner;
  }

  /**
   * Returns the Lamport clock this node's next operation must carry: one more than the largest
   * clock in range.
   *
   * @return the clock, at least 1
   */
  public long nextLamport() {
    return maxLamport + 1;
  }

  /**
   * Creates an operation by {@code author} at {@link #nextLamport()}; it is not applied.
   *
   * @param author the author, normally this node
   * @param body what it does
   * @return the operation, to {@link #apply} locally and send to the control group
   * @throws IllegalArgumentException if {@link SpaceOp#of} rejects it
   */
  public SpaceOp newOp(PeerId author, Body body) {
    return SpaceOp.of(spaceId, author, nextLamport(), body);
  }

  /**
   * Tells whether an operation by {@code author} would take effect if appended now; for failing
   * fast before sending (for example a {@link Role#MEMBER} creating a channel).
   *
   * @param author the author
   * @param body what it would do
   * @return true if the current roles and state allow it
   */
  public boolean permits(PeerId author, Body body) {
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(body, "body");
    return allowed(author, body);
  }

  /**
   * Returns the body that removes {@code member} as this replica sees it: all its live joins.
   *
   * <p>At most {@value SpaceConstants#MAX_OBSERVED_TAGS} joins fit in one operation; a member
   * admitted more often than that concurrently stays until a second removal, made after applying
   * the first.
   *
   * @param member the member to remove
   * @return the body, or empty if the peer is not a removable member (not a member, or the
   *     current owner)
   */
  public Optional<MemberRemoved> removalOf(PeerId member) {
    if (member.equals(owner)) {
      return Optional.empty();
    }
    return liveJoins(member).map(tags -> new MemberRemoved(member, tags));
  }

  /**
   * Returns the body by which {@code member} leaves, as this replica sees it: all its live joins.
   *
   * @param member the member leaving, the author of the operation
   * @return the body, or empty if the peer is not a member or is the owner
   */
  public Optional<MemberLeft> departureOf(PeerId member) {
    return liveJoins(member).map(MemberLeft::new);
  }

  private Optional<List<OpId>> liveJoins(PeerId member) {
    Set<OpId> live = joins.get(Objects.requireNonNull(member, "member"));
    if (live == null || live.isEmpty()) {
      return Optional.empty();
    }
    List<OpId> sorted = new ArrayList<>(new TreeSet<>(live));
    return Optional.of(sorted.subList(0, Math.min(sorted.size(), SpaceConstants.MAX_OBSERVED_TAGS)));
  }

  /**
   * Tells whether an operation is held and took effect.
   *
   * @param id the operation id
   * @return true if held and effective; false if unknown or rejected
   */
  public boolean isEffective(OpId id) {
    return byId.containsKey(id) && !rejected.contains(id);
  }

  /**
   * Tells whether an operation is held.
   *
   * @param id the operation id
   * @return true if held, effective or not
   */
  public boolean contains(OpId id) {
    return byId.containsKey(id);
  }

  /**
   * Returns every operation held, in evaluation order; for storage and for a joiner's snapshot.
   *
   * @return a new list the caller owns
   */
  public List<SpaceOp> log() {
    return new ArrayList<>(log);
  }

  /**
   * Returns a snapshot of the current metadata.
   *
   * @return an immutable view, cached until the next new operation
   */
  public SpaceView view() {
    if (view == null) {
      Map<PeerId, Role> members = new TreeMap<>(roles);
      view = new SpaceView(spaceId, owner, name, channels, members, contacts, maxLamport,
          log.size(), rejected.size());
    }
    return view;
  }
}
