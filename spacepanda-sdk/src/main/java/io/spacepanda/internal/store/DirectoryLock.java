package io.spacepanda.internal.store;

import io.spacepanda.spi.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data directory, held by one open store at a time.
 *
 * <p>Two stores on one directory would each believe they are the only writer. The lock is an OS
 * file lock on an empty lock file, so it is released by the OS if the process dies; the file
 * itself stays (deleting lock files races with the next opener). Within one JVM, a second lock
 * attempt fails through {@link OverlappingFileLockException}.
 *
 * <p>Not thread-safe; owned by one store.
 */
final class DirectoryLock {

  private static final String IN_USE = "data directory is in use by another open store";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock or fails at once.
   *
   * @throws StorageException if another store holds it or the lock file cannot be opened
   */
  static DirectoryLock acquire(Path lockFile) throws StorageException {
    FileChannel channel;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StorageException("cannot open the lock file", e);
    }
    try {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return new DirectoryLock(channel, lock);
      }
      StorageException failure = new StorageException(IN_USE);
      closeAfter(channel, failure);
      throw failure;
    } catch (OverlappingFileLockException | IOException e) {
      StorageException failure = new StorageException(IN_USE, e);
      closeAfter(channel, failure);
      throw failure;
    }
  }

  private static void closeAfter(FileChannel channel, Exception failure) {
    try {
      channel.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /** Releases the lock; errors are ignored because the OS drops the lock with the channel. */
  void release() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // Closing the channel below releases it as well.
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing left to release.
    }
  }
}
