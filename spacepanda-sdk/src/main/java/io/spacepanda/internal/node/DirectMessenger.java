package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.envelope.DirectEnvelope;
import io.spacepanda.SpacePandaException;
import io.spacepanda.internal.envelope.EnvelopeTooLargeException;
import io.spacepanda.internal.envelope.Padding;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.OutboxEntry;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Node messages in direct envelopes (HPKE to the recipient's inbox key): sealing, with fragments
 * when a message does not fit the largest padding bucket, and reassembly on receipt.
 *
 * <p>A message too large for one envelope (a Welcome or join answer of a large group) is cut into
 * {@link NodeWire.Fragment}s, halving the chunk from {@link #FRAGMENT_CHUNK} until each sealed
 * fragment fits. The receiver keeps at most {@link #MAX_REASSEMBLIES} partly received messages,
 * dropping the oldest first. Sealing is stateless; reassembly state is confined to the node lane.
 */
final class DirectMessenger {

  /** Messages being reassembled at once; the oldest is dropped beyond it. */
  static final int MAX_REASSEMBLIES = 16;
  /** Chunk size tried first when a node message does not fit one direct envelope. */
  static final int FRAGMENT_CHUNK = 32 * 1024;
  /** Smallest chunk tried before giving up. */
  static final int MIN_FRAGMENT_CHUNK = 1024;

  private final Padding padding;
  private final RandomGenerator random;
  private final Map<String, byte[][]> reassemblies = new LinkedHashMap<>();
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
   * Keeps a fragment and returns the whole message once every fragment is here; on the node lane.
   *
   * @param f the fragment
   * @return the reassembled message, or empty while fragments are missing
   * @throws MlsException if the reassembled bytes do not decode, or are a fragment again
   * @throws IllegalArgumentException if the fragment disagrees with earlier ones (count, index)
   */
  Optional<NodeWire.Msg> onFragment(NodeWire.Fragment f) throws MlsException {
    String key = HexFormat.of().formatHex(f.messageId());
    byte[][] chunks = reassemblies.get(key);
    if (chunks == null) {
      if (reassemblies.size() >= MAX_REASSEMBLIES) {
        Iterator<String> oldest = reassemblies.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      chunks = new byte[f.count()][];
      reassemblies.put(key, chunks);
    }
    if (chunks.length != f.count()) {
      throw new IllegalArgumentException("fragment count differs");
    }
    if (chunks[f.index()] != null) {
      throw new IllegalArgumentException("duplicate fragment");
    }
    chunks[f.index()] = f.chunk();
    for (byte[] c : chunks) {
      if (c == null) {
        return Optional.empty();
      }
    }
    reassemblies.remove(key);
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    for (byte[] c : chunks) {
      whole.writeBytes(c);
    }
    NodeWire.Msg msg = NodeWire.decode(whole.toByteArray());
    if (msg instanceof NodeWire.Fragment) {
      throw new IllegalArgumentException("nested fragment");
    }
    return Optional.of(msg);
  }

  /** @return how many messages are partly received */
  int reassembling() {
    return reassemblies.size();
  }
}
