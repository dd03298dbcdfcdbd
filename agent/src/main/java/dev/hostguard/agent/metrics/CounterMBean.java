package dev.hostguard.agent.metrics;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;

/**
 * A read-only MBean whose attributes are counters ({@code long}), read from {@link AgentMetrics} at each look: the
 * set of attributes grows as rules have findings, so the MBean is dynamic, not a fixed interface.
 */
abstract class CounterMBean implements DynamicMBean {
    private final AgentMetrics metrics;
    private final String name;
    private final String description;

    CounterMBean(AgentMetrics metrics, String name, String description) {
        this.metrics = metrics;
        this.name = name;
        this.description = description;
    }

    /** The counters now, by attribute name. */
    abstract Map<String, Long> counters(AgentMetrics.Snapshot snapshot);

    private Map<String, Long> now() {
        return counters(metrics.snapshot());
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Long value = now().get(attribute);
        if (value == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return value;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        AttributeNotFoundException refused = new AttributeNotFoundException(attribute.getName() + " is read-only");
        refused.initCause(attempted("setAttribute " + attribute.getName()));
        throw refused;
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        Map<String, Long> now = now();
        AttributeList list = new AttributeList();
        for (String name : attributes) {
            Long value = now.get(name);
            if (value != null) {
                list.add(new Attribute(name, value));
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        attempted("setAttributes");
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException("no operations", attempted("invoke " + actionName));
    }

    /**
     * A write to HostGuard's MBeans changes nothing, and is still an attempt on HostGuard: a {@code tamper} event
     * (family {@code jmx}); inside a guarded request in block mode that request is refused too.
     *
     * @return the request's refusal, or {@code null}
     */
    private Throwable attempted(String what) {
        return Hooks.refusedAttempt("jmx", name, what + ": HostGuard's MBeans are read-only");
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        List<MBeanAttributeInfo> attributes = new ArrayList<>();
        for (String name : now().keySet()) {
            attributes.add(new MBeanAttributeInfo(name, "long", "a counter", true, false, false));
        }
        return new MBeanInfo(getClass().getName(), description, attributes.toArray(new MBeanAttributeInfo[0]), null,
                new MBeanOperationInfo[0], new MBeanNotificationInfo[0]);
    }
}
