package io.spacepanda.internal.net.mix;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Envelopes cut into pieces that fit one mix message, and put together again at the recipient.
 * Each piece travels as its own Sphinx packet over its own path, acknowledged on its own.
 *
 * <pre>
 * piece = version(1) = 1 ‖ id(8) ‖ index(1) ‖ count(1) ‖ bytes      1 ≤ count ≤ {@value #MAX_PIECES}
 * </pre>
 *
 * <p>The id is random per send; the recipient keeps the pieces of at most {@value #MAX_PARTIAL}
 * envelopes and {@value #MAX_BUFFERED_BYTES} bytes at once, each until no piece of it came for the
 * given lifetime (counted from its latest piece: with cover traffic, pieces leave their sender one
 * per payload interval, so a long envelope takes longer than the lifetime to arrive); beyond either
 * limit the oldest partial envelope is dropped. The ids of dropped envelopes are remembered (at
 * most {@value #MAX_DROPPED_IDS}, each until no piece of it came for the lifetime), and a later
 * piece of one is refused ({@link Dropped}), not acknowledged: the sender's acknowledgement for it
 * never comes, so it sends the whole envelope again (under a new id). Without this, a later piece
 * started a new partial envelope and was acknowledged like the earlier ones, so a sender could
 * see every piece acknowledged for an envelope that was never put together.
 */
public final class Fragments {

  /** Piece header: version, id, index, count. */
  public static final int HEADER = 11;
  /** Bytes of an envelope one piece carries. */
  public static final int PIECE_BYTES = MixNode.MAX_ACKED_BODY - HEADER;
  /** Most pieces of one envelope. */
  public static final int MAX_PIECES = 255;
  /** Longest envelope sent through the mixnet: {@value #MAX_PIECES} pieces. */
  public static final int MAX_ENVELOPE = MAX_PIECES * PIECE_BYTES;
  /** Partial envelopes a recipient holds at once. */
  public static final int MAX_PARTIAL = 64;
  /** Bytes of pieces a recipient holds at once. */
  public static final int MAX_BUFFERED_BYTES = 4 << 20;
  /** Ids of dropped partial envelopes remembered at once, the most recent. */
  public static final int MAX_DROPPED_IDS = 4096;

  private static final int VERSION = 1;

  private Fragments() {}

  /**
   * Cuts an envelope into pieces.
   *
   * @param id the envelope's random id
   * @param envelope the bytes, 1 to {@link #MAX_ENVELOPE}
   * @return the pieces, in order
   * @throws IllegalArgumentException if the envelope is empty or too long
   */
  public static List<byte[]> split(long id, byte[] envelope) {
    if (envelope.length == 0 || envelope.length > MAX_ENVELOPE) {
      throw new IllegalArgumentException("envelope of " + envelope.length
          + " bytes: the mixnet carries 1 to " + MAX_ENVELOPE);
    }
    int count = (envelope.length + PIECE_BYTES - 1) / PIECE_BYTES;
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * PIECE_BYTES;
      int n = Math.min(PIECE_BYTES, envelope.length - from);
      ByteBuffer b = ByteBuffer.allocate(HEADER + n);
      b.put((byte) VERSION).putLong(id).put((byte) i).put((byte) count).put(envelope, from, n);
      out.add(b.array());
    }
    return out;
  }

  /** A piece that does not parse. */
  public static class BadPiece extends Exception {
    private static final long serialVersionUID = 1L;

    BadPiece(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A well-formed piece of an envelope whose earlier pieces were dropped (for age or the limits):
   * refused, so that it is not acknowledged and its sender sends the whole envelope again.
   */
  public static final class Dropped extends BadPiece {
    private static final long serialVersionUID = 1L;

    Dropped(String message) {
      super(message);
    }
  }

  /**
   * Puts envelopes together from their pieces, within the limits above. Thread-safe.
   */
  public static final class Reassembler {
    private final LongSupplier clockMillis;
    private final long lifetimeMillis;
    private final Map<Long, Partial> partial = new LinkedHashMap<>();
    /** Ids of dropped partial envelopes, by when their latest piece came; oldest first. */
    private final Map<Long, Long> droppedIds = new LinkedHashMap<>();
    private long buffered;
    private long expired;

    private static final class Partial {
      final byte[][] pieces;
      /** When its latest piece came. */
      long touched;
      int have;
      long bytes;

      Partial(int count, long now) {
        this.pieces = new byte[count][];
        this.touched = now;
      }
    }

    /**
     * Creates a reassembler.
     *
     * @param clockMillis the time in milliseconds
     * @param lifetimeMillis how long a partial envelope is kept
     */
    public Reassembler(LongSupplier clockMillis, long lifetimeMillis) {
      this.clockMillis = clockMillis;
      this.lifetimeMillis = lifetimeMillis;
    }

    /**
     * Takes one piece.
     *
     * @param piece the bytes of one mix message
     * @return the whole envelope when this piece completed it, else null
     * @throws BadPiece if the piece does not parse, or contradicts earlier pieces of its id
     */
    public synchronized byte[] add(byte[] piece) throws BadPiece {
      if (piece.length < HEADER + 1 || piece.length > HEADER + PIECE_BYTES) {
        throw new BadPiece("piece of " + piece.length + " bytes");
      }
      ByteBuffer b = ByteBuffer.wrap(piece);
      if (b.get() != VERSION) {
        throw new BadPiece("unknown piece version");
      }
      long id = b.getLong();
      int index = b.get() & 0xff;
      int count = b.get() & 0xff;
      if (count < 1 || count > MAX_PIECES || index >= count) {
        throw new BadPiece("piece " + index + " of " + count);
      }
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      if (index < count - 1 && bytes.length != PIECE_BYTES) {
        throw new BadPiece("short piece before the last");
      }
      if (count == 1) {
        return bytes;
      }
      long now = clockMillis.getAsLong();
      expire(now);
      if (droppedIds.remove(id) != null) {
        droppedIds.put(id, now);
        throw new Dropped("piece " + index + " of an envelope already dropped");
      }
      Partial p = partial.get(id);
      if (p == null) {
        while (partial.size() >= MAX_PARTIAL || buffered + bytes.length > MAX_BUFFERED_BYTES) {
          dropOldest();
        }
        p = new Partial(count, now);
        partial.put(id, p);
      } else if (p.pieces.length != count) {
        throw new BadPiece("piece count differs from an earlier piece of the envelope");
      }
      if (p.pieces[index] != null) {
        return null;
      }
      while (buffered + bytes.length > MAX_BUFFERED_BYTES && partial.size() > 1) {
        dropOldestExcept(id);
      }
      p.pieces[index] = bytes;
      p.have++;
      p.bytes += bytes.length;
      buffered += bytes.length;
      if (p.have < count) {
        // its lifetime starts again, and it moves to the end of the order expire() relies on
        // (had it run from the first piece, pieces acknowledged on arrival would be dropped by a
        // slow payload stream before the last came, and the envelope lost although its sender
        // saw every piece acknowledged)
        p.touched = now;
        partial.remove(id);
        partial.put(id, p);
        return null;
      }
      partial.remove(id);
      buffered -= p.bytes;
      ByteBuffer out = ByteBuffer.allocate((int) p.bytes);
      for (byte[] x : p.pieces) {
        out.put(x);
      }
      return out.array();
    }

    private void expire(long now) {
      Iterator<Map.Entry<Long, Partial>> it = partial.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Long, Partial> e = it.next();
        if (now - e.getValue().touched < lifetimeMillis) {
          break;
        }
        it.remove();
        buffered -= e.getValue().bytes;
        expired++;
        remember(e.getKey(), now);
      }
      Iterator<Long> ids = droppedIds.values().iterator();
      while (ids.hasNext() && now - ids.next() >= lifetimeMillis) {
        ids.remove();
      }
    }

    /** Remembers the id of a dropped partial envelope, so that its later pieces are refused. */
    private void remember(long id, long now) {
      droppedIds.remove(id);
      if (droppedIds.size() >= MAX_DROPPED_IDS) {
        Iterator<Long> it = droppedIds.keySet().iterator();
        it.next();
        it.remove();
      }
      droppedIds.put(id, now);
    }

    private void dropOldest() {
      Iterator<Map.Entry<Long, Partial>> it = partial.entrySet().iterator();
      Map.Entry<Long, Partial> e = it.next();
      it.remove();
      buffered -= e.getValue().bytes;
      expired++;
      remember(e.getKey(), clockMillis.getAsLong());
    }

    private void dropOldestExcept(long keep) {
      Iterator<Map.Entry<Long, Partial>> it = partial.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Long, Partial> e = it.next();
        if (e.getKey() != keep) {
          it.remove();
          buffered -= e.getValue().bytes;
          expired++;
          remember(e.getKey(), clockMillis.getAsLong());
          return;
        }
      }
    }

    /** @return partial envelopes held now */
    public synchronized int partialCount() {
      return partial.size();
    }

    /** @return bytes of pieces held now */
    public synchronized long bufferedBytes() {
      return buffered;
    }

    /** @return ids of dropped partial envelopes remembered now (at most {@value #MAX_DROPPED_IDS}) */
    public synchronized int droppedIdCount() {
      return droppedIds.size();
    }

    /** @return partial envelopes dropped for age or for the limits */
    public synchronized long dropped() {
      return expired;
    }
  }
}
