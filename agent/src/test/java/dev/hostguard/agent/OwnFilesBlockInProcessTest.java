package dev.hostguard.agent;

import org.junit.jupiter.api.BeforeAll;

/** {@link OwnFilesInProcessTest} in block mode. */
class OwnFilesBlockInProcessTest extends OwnFilesInProcessTest {
    @BeforeAll
    static void attachBlock() throws Exception {
        attach("block");
    }
}
