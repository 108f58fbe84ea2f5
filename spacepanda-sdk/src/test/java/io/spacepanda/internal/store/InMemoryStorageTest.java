package io.spacepanda.internal.store;

import io.spacepanda.Storages;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageContractTest;

/** Runs the storage contract against {@link InMemoryStorage}. */
class InMemoryStorageTest extends StorageContractTest {

  @Override
  protected Storage newStorage() {
    return Storages.inMemory();
  }
}
