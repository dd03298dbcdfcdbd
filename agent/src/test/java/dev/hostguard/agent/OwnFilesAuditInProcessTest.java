package dev.hostguard.agent;

import org.junit.jupiter.api.BeforeAll;

/** {@link OwnFilesInProcessTest} in audit mode: HostGuard's own files are refused all the same. */
class OwnFilesAuditInProcessTest extends OwnFilesInProcessTest {
    @BeforeAll
    static void attachAudit() throws Exception {
        attach("audit");
    }
}
