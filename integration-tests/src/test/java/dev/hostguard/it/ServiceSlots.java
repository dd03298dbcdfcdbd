package dev.hostguard.it;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The service slots of one test class: {@code @RegisterExtension static final ServiceSlots SLOTS = new
 * ServiceSlots();}, then {@link #add} each slot as its container is built. After the class's last test every slot
 * is stopped, so a JVM that a failed test left running never outlives its class.
 */
final class ServiceSlots implements AfterAllCallback {
    private final List<ServiceSlot> slots = new ArrayList<>();

    /** @return {@code slot}, now stopped after the class's tests whatever happens to them */
    synchronized ServiceSlot add(ServiceSlot slot) {
        slots.add(slot);
        return slot;
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        for (ServiceSlot slot : slots) {
            slot.stopQuietly();
        }
    }
}
