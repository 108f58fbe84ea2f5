package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.envelope.DirectEnvelope;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.envelope.EnvelopeTooLargeException;
import io.spacepanda.internal.envelope.Padding;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.OutboxEntry;
import io.spacepanda.spi.StorageException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Node messages in direct envelopes (HPKE to the recipient's inbox key): sealing, with fragments
 * when a message does not fit the largest padding bucket, and reassembly on receipt.
 *
 * <p>A message too large for one envelope (a Welcome or join answer of a large group) is cut into
 * {@link NodeWire.Fragment}s, halving the chunk from {@link #FRAGMENT_CHUNK} until each sealed
 * fragment fits. The receiver keeps at most {@link #MAX_REASSEMBLIES} partly received messages
 * and {@link #MAX_REASSEMBLY_BYTES} bytes of them, dropping the oldest first. A whole message
 * refused for now is held again, so that its resent last fragment completes it (issue 14).
 * Sealing is stateless; reassembly state is thread-safe (the node lane adds, a handler's
 * completion may put back).
 */
final class DirectMessenger {

  /** Messages being reassembled at once; the oldest is dropped beyond it. */
  static final int MAX_REASSEMBLIES = 16;
  /**
   * Bytes of partly received messages held at once (four of the largest a node sends); the oldest
   * are dropped beyond it.
   */
  static final long MAX_REASSEMBLY_BYTES = 4L * NodeWire.MAX_FRAGMENTS * 32 * 1024;
  /** Chunk size tried first when a node message does not fit one direct envelope. */
  static final int FRAGMENT_CHUNK = 32 * 1024;
  /** Smallest chunk tried before giving up. */
  static final int MIN_FRAGMENT_CHUNK = 1024;

  private final Padding padding;
  private final RandomGenerator random;
  /** Partly received messages by id, oldest first; guarded by itself. */
  private final Map<String, byte[][]> reassemblies = new LinkedHashMap<>();
  /** Bytes of the chunks held in {@link #reassemblies}; guarded by it. */
  private long heldBytes;
  /** Direct envelopes a mailbox may keep, by envelope id, to their space; newest kept. */
  private final Map<Id, Id> depositable = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Id, Id> eldest) {
      return size() > MAX_DEPOSITABLE;
    }
  };
  /** Direct envelopes remembered as depositable at most (the newest). */
  static final int MAX_DEPOSITABLE = 4096;

  DirectMessenger(Padding padding, RandomGenerator random) {
    this.padding = padding;
    this.random = random;
  }

  /**
   * Seals a node message in one direct envelope, or in one envelope per fragment.
   *
   * @param inboxKey the recipient's inbox public key
   * @param msg the message
   * @return the envelopes, in fragment order
   * @throws SpacePandaException if even the smallest fragments do not fit, or the key is bad
   */
  List<byte[]> seal(byte[] inboxKey, NodeWire.Msg msg) throws SpacePandaException {
    byte[] bytes = msg.toBytes();
    EnvelopeTooLargeException tooLarge;
    try {
      return List.of(DirectEnvelope.seal(inboxKey, bytes, padding));
    } catch (EnvelopeTooLargeException e) {
      tooLarge = e;
    }
    for (int chunk = FRAGMENT_CHUNK; chunk >= MIN_FRAGMENT_CHUNK; chunk /= 2) {
      int count = (bytes.length + chunk - 1) / chunk;
      if (count > NodeWire.MAX_FRAGMENTS) {
        break;
      }
      if (count < 2) {
        // one chunk would be the whole message, which did not fit: try smaller chunks
        continue;
      }
      byte[] id = new byte[NodeWire.FRAGMENT_ID_LENGTH];
      random.nextBytes(id);
      List<byte[]> envs = new ArrayList<>(count);
      try {
        for (int i = 0; i < count; i++) {
          byte[] part = Arrays.copyOfRange(bytes, i * chunk, Math.min(bytes.length,
              (i + 1) * chunk));
          envs.add(DirectEnvelope.seal(inboxKey,
              new NodeWire.Fragment(id, i, count, part).toBytes(), padding));
        }
        return envs;
      } catch (EnvelopeTooLargeException e) {
        tooLarge = e;
      }
    }
    throw tooLarge;
  }

  /**
   * Seals a node message and records its copies in the step's outbox writes.
   *
   * @param step the step
   * @param outbox the outbox
   * @param to the recipient
   * @param inboxKey its inbox key
   * @param msg the message
   * @return the entries, to dispatch after commit
   * @throws SpacePandaException if the message cannot be sealed
   */
  List<OutboxEntry> send(Step step, Outbox outbox, PeerId to, byte[] inboxKey, NodeWire.Msg msg)
      throws SpacePandaException {
    List<OutboxEntry> out = new ArrayList<>();
    byte[] space = spaceOfDepositable(msg);
    for (byte[] env : seal(inboxKey, msg)) {
      OutboxEntry e = outbox.enqueue(step, env, to);
      out.add(e);
      if (space != null) {
        synchronized (depositable) {
          depositable.put(e.envelopeId(), Id.of(space));
        }
        // kept across a restart while its copy is in the outbox (Mailbox#restoreDepositable)
        io.spacepanda.spi.NodeRecord kept = new io.spacepanda.spi.NodeRecord(
            io.spacepanda.spi.NodeRecord.KIND_DEPOSITABLE, e.envelopeId(), space);
        step.write(t -> t.putNodeRecord(kept));
      }
    }
    return out;
  }

  /**
   * The space of a direct message a mailbox may keep when its recipient is unreachable: channel
   * Welcomes, join requests and invites, which a member needs whenever it comes back. Sync
   * traffic (answered again next round) and mailbox traffic itself are not kept.
   */
  private static byte[] spaceOfDepositable(NodeWire.Msg msg) {
    if (msg instanceof NodeWire.ChannelWelcome w) {
      return w.spaceId();
    } else if (msg instanceof NodeWire.ChannelJoinRequest r) {
      return r.spaceId();
    } else if (msg instanceof NodeWire.ChannelInvite i) {
      return i.spaceId();
    }
    return null;
  }

  /**
   * Remembers again, after a restart, a direct envelope a mailbox may keep; before any step runs.
   *
   * @param envelopeId its id
   * @param space its space
   */
  void restoreDepositable(Id envelopeId, Id space) {
    synchronized (depositable) {
      depositable.put(envelopeId, space);
    }
  }

  /**
   * Takes the space of a direct envelope sent by this node that a mailbox may keep.
   *
   * @param envelope the sealed envelope
   * @return its space, or empty if it is not one (or was forgotten: more than {@link
   *     #MAX_DEPOSITABLE} newer ones)
   */
  Optional<Id> takeDepositable(byte[] envelope) {
    Id id = Id.of(NodeContext.sha256(envelope));
    synchronized (depositable) {
      return Optional.ofNullable(depositable.remove(id));
    }
  }

  /**
   * Keeps a fragment and, once every fragment is here, hands the whole message to {@code
   * dispatch}; on the node lane. If the whole message is refused for now (its protocol's budget
   * is full, or storage failed), the last fragment's envelope is not acknowledged and its sender
   * sends it again: the earlier fragments, acknowledged already, are put back so that the resent
   * one completes the message again instead of starting a reassembly that never ends.
   *
   * @param f the fragment
   * @param dispatch hands the whole message on; completes once it is handled
   * @return completes when the fragment is kept, or the whole message is handled
   * @throws MlsException if the reassembled bytes do not decode, or are a fragment again
   * @throws FragmentException if the fragment disagrees with earlier ones (count, or another
   *     chunk at the same index)
   */
  CompletableFuture<Void> onFragment(NodeWire.Fragment f,
      Function<NodeWire.Msg, CompletableFuture<Void>> dispatch) throws MlsException {
    Optional<Whole> whole = take(f);
    if (whole.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Whole w = whole.get();
    CompletableFuture<Void> handled;
    try {
      handled = dispatch.apply(w.msg());
    } catch (RuntimeException e) {
      handled = CompletableFuture.failedFuture(e);
    }
    // put back before the returned future completes, so before the sender hears of the refusal
    return handled.whenComplete((v, e) -> {
      if (e != null && triedAgainLater(e)) {
        putBack(w);
      }
    });
  }

  /**
   * Keeps a fragment and returns the whole message once every fragment is here; on the node lane.
   * The whole message's chunks are no longer held once it is returned.
   *
   * @param f the fragment
   * @return the reassembled message, or empty while fragments are missing
   * @throws MlsException if the reassembled bytes do not decode, or are a fragment again
   * @throws FragmentException if the fragment disagrees with earlier ones (count, or another
   *     chunk at the same index)
   */
  Optional<NodeWire.Msg> onFragment(NodeWire.Fragment f) throws MlsException {
    return take(f).map(Whole::msg);
  }

  /** A message whose last fragment just arrived, with its chunks to put back if refused. */
  private record Whole(NodeWire.Msg msg, String key, int lastIndex, byte[][] chunks) {}

  private Optional<Whole> take(NodeWire.Fragment f) throws MlsException {
    String key = HexFormat.of().formatHex(f.messageId());
    byte[][] chunks;
    synchronized (reassemblies) {
      chunks = reassemblies.get(key);
      if (chunks == null) {
        chunks = new byte[f.count()][];
        reassemblies.put(key, chunks);
      }
      if (chunks.length != f.count()) {
        throw new FragmentException("fragment count differs from earlier fragments");
      }
      byte[] earlier = chunks[f.index()];
      if (earlier != null) {
        if (Arrays.equals(earlier, f.chunk())) {
          return Optional.empty(); // sent again (its acknowledgement was lost): already kept
        }
        throw new FragmentException("another chunk at the same fragment index");
      }
      chunks[f.index()] = f.chunk();
      heldBytes += f.chunk().length;
      evictBeyondBudget();
      if (reassemblies.get(key) != chunks) {
        return Optional.empty(); // this message alone exceeds the budget: dropped
      }
      for (byte[] c : chunks) {
        if (c == null) {
          return Optional.empty();
        }
      }
      remove(key);
    }
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    for (byte[] c : chunks) {
      whole.writeBytes(c);
    }
    NodeWire.Msg msg = NodeWire.decode(whole.toByteArray());
    if (msg instanceof NodeWire.Fragment) {
      throw new FragmentException("nested fragment");
    }
    return Optional.of(new Whole(msg, key, f.index(), chunks));
  }

  /** Holds a refused message's chunks again, but the last one, which its sender sends again. */
  private void putBack(Whole w) {
    byte[][] chunks = w.chunks().clone();
    chunks[w.lastIndex()] = null;
    synchronized (reassemblies) {
      if (reassemblies.containsKey(w.key())) {
        return; // a new reassembly under the same id began meanwhile: keep it
      }
      reassemblies.put(w.key(), chunks);
      for (byte[] c : chunks) {
        heldBytes += c == null ? 0 : c.length;
      }
      evictBeyondBudget();
    }
  }

  /** Drops the oldest reassemblies beyond the count and byte budgets; holds the lock. */
  private void evictBeyondBudget() {
    Iterator<String> it = reassemblies.keySet().iterator();
    while (reassemblies.size() > MAX_REASSEMBLIES || heldBytes > MAX_REASSEMBLY_BYTES) {
      String oldest = it.next();
      byte[][] gone = reassemblies.get(oldest);
      it.remove();
      heldBytes -= sum(gone);
    }
  }

  private void remove(String key) {
    byte[][] gone = reassemblies.remove(key);
    if (gone != null) {
      heldBytes -= sum(gone);
    }
  }

  private static long sum(byte[][] chunks) {
    long n = 0;
    for (byte[] c : chunks) {
      n += c == null ? 0 : c.length;
    }
    return n;
  }

  /**
   * Whether the router leaves an envelope unacknowledged for this failure, so that its sender
   * sends it again: a refusal (budget, quota) or a storage failure.
   */
  static boolean triedAgainLater(Throwable e) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return c instanceof InboundRouter.RefusedException || c instanceof StorageException;
  }

  /** A fragment that disagrees with the earlier fragments of its message. */
  static final class FragmentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    FragmentException(String message) {
      super(message);
    }
  }

  /** @return bytes of partly received messages held */
  long heldBytes() {
    synchronized (reassemblies) {
      return heldBytes;
    }
  }

  /** @return how many messages are partly received */
  int reassembling() {
    synchronized (reassemblies) {
      return reassemblies.size();
    }
  }
}
