package io.spacepanda.internal.store.bench;

import io.spacepanda.Storages;
import io.spacepanda.spi.DeliveryState;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StoredMessage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable message inserts per second into the SQLite store, with encryption at rest, batched 1,
 * 16 and 128 messages per transaction.
 *
 * <p>Each operation is one stored message (the score is messages per second). The store runs as
 * shipped: WAL, {@code synchronous=FULL} (an fsync per commit), every 200-byte body encrypted with
 * AES-256-GCM, keyset protected by a passphrase. The annotations give a brief run (one fork, two
 * warm-up and three measured iterations of 5 s), because the {@code bench} execution of the pom
 * passes {@code -Dbench} to JMH as a single regex argument. Run with
 * {@code mvn -q -o -B -pl spacepanda-sdk test-compile exec:exec@bench -Dbench=StorageBenchmark}.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StorageBenchmark {

  private static final int BODY_LENGTH = 200;

  private final Id channel = Id.ofHex("c0ffee");
  private final Id sender = Id.of(new byte[38]);
  private final byte[] body = new byte[BODY_LENGTH];
  private final Instant receivedAt = Instant.parse("2026-01-01T00:00:00Z");
  private Path dir;
  private Storage storage;
  private long next;

  /**
   * Opens a fresh store in a temporary directory.
   *
   * @throws Exception if it cannot be opened
   */
  @Setup(Level.Trial)
  public void open() throws Exception {
    new Random(1).nextBytes(body);
    dir = Files.createTempDirectory("spacepanda-bench");
    storage = Storages.sqlite(dir, "benchmark passphrase".toCharArray());
  }

  /**
   * Closes the store and deletes its directory.
   *
   * @throws Exception if closing fails
   */
  @TearDown(Level.Trial)
  public void close() throws Exception {
    storage.close();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  private StoredMessage nextMessage() {
    long n = next++;
    Id id = Id.of(ByteBuffer.allocate(StoredMessage.MESSAGE_ID_LENGTH).putLong(n).array());
    return new StoredMessage(
        id, channel, sender, n, n, 1, body, receivedAt, DeliveryState.RECEIVED);
  }

  private void insert(int batch) throws StorageException {
    storage.inTransaction(
        t -> {
          for (int i = 0; i < batch; i++) {
            t.insertMessage(nextMessage());
          }
          return null;
        });
  }

  /**
   * One message per transaction.
   *
   * @throws StorageException if the store fails
   */
  @Benchmark
  @OperationsPerInvocation(1)
  public void insertBatch001() throws StorageException {
    insert(1);
  }

  /**
   * Sixteen messages per transaction.
   *
   * @throws StorageException if the store fails
   */
  @Benchmark
  @OperationsPerInvocation(16)
  public void insertBatch016() throws StorageException {
    insert(16);
  }

  /**
   * 128 messages per transaction.
   *
   * @throws StorageException if the store fails
   */
  @Benchmark
  @OperationsPerInvocation(128)
  public void insertBatch128() throws StorageException {
    insert(128);
  }

}
