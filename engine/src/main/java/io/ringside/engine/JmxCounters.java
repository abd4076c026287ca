package io.ringside.engine;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.agrona.concurrent.status.CountersReader;

/**
 * An engine's counters over JMX, for the embedder's monitoring (a JMX exporter, a Micrometer {@code JmxMeterRegistry}
 * scraping, jconsole): every counter of the engine's counters file, the engine's own and those its components added
 * ({@link EngineCounters#newCounter}: a Kafka ingress's lag per partition, say), as a read-only {@code long} attribute
 * named by its label, under {@code io.ringside:type=Engine,name=<name>}. What {@code ./ringside stat DIR} prints, read
 * live from the same memory; nothing on the engine's path changes.
 * <pre>{@code
 * try (Engine engine = new Engine(ctx).start(); JmxCounters jmx = JmxCounters.register(engine, "fraud-1"))
 * {
 *     ...
 * }
 * }</pre>
 * <b>Thread safety:</b> attributes are read from JMX's threads, each counter with a volatile read.
 */
public final class JmxCounters implements DynamicMBean, AutoCloseable
{
    private final EngineCounters counters;
    private final ObjectName objectName;
    private final MBeanServer server;

    private JmxCounters(final EngineCounters counters, final ObjectName objectName, final MBeanServer server)
    {
        this.counters = counters;
        this.objectName = objectName;
        this.server = server;
    }

    /**
     * Registers the engine's counters with the platform MBean server.
     *
     * @param name the engine's name among the process's engines (the {@code name} key of the object name).
     * @return the registration: {@link #close()} unregisters it.
     * @throws IllegalStateException if an MBean of that name is registered already (give each engine its own name).
     */
    public static JmxCounters register(final Engine engine, final String name)
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try
        {
            final ObjectName objectName = objectName(name);
            final JmxCounters bean = new JmxCounters(engine.counters(), objectName, server);
            server.registerMBean(bean, objectName);
            return bean;
        }
        catch (final JMException ex)
        {
            throw new IllegalStateException("the engine's counters could not be registered over JMX as " + name + ": " + ex.getMessage() +
                " (is another engine registered under that name?)", ex);
        }
    }

    /**
     * @return the object name an engine registered under {@code name} has.
     */
    public static ObjectName objectName(final String name) throws JMException
    {
        return new ObjectName("io.ringside", new Hashtable<>(Map.of("type", "Engine", "name", ObjectName.quote(name))));
    }

    public ObjectName objectName()
    {
        return objectName;
    }

    @Override
    public Object getAttribute(final String attribute) throws AttributeNotFoundException
    {
        final CountersReader reader = counters.reader();
        final long[] value = {Long.MIN_VALUE};
        final boolean[] found = {false};
        reader.forEach((id, label) ->
        {
            if (!found[0] && label.equals(attribute))
            {
                found[0] = true;
                value[0] = reader.getCounterValue(id);
            }
        });
        if (!found[0])
        {
            throw new AttributeNotFoundException("no counter " + attribute + " in " + objectName);
        }
        return value[0];
    }

    @Override
    public AttributeList getAttributes(final String[] attributes)
    {
        final AttributeList list = new AttributeList();
        for (final String attribute : attributes)
        {
            try
            {
                list.add(new Attribute(attribute, getAttribute(attribute)));
            }
            catch (final AttributeNotFoundException ignored)
            {
                // JMX's contract: the attributes that could be read
            }
        }
        return list;
    }

    @Override
    public void setAttribute(final Attribute attribute) throws AttributeNotFoundException
    {
        throw new AttributeNotFoundException("the engine's counters are read-only: " + attribute.getName());
    }

    @Override
    public AttributeList setAttributes(final AttributeList attributes)
    {
        return new AttributeList();
    }

    @Override
    public Object invoke(final String actionName, final Object[] params, final String[] signature)
    {
        throw new UnsupportedOperationException("the engine's counters have no operations: " + actionName);
    }

    /**
     * @return one attribute per counter, as allocated now (a component's counters appear once it added them).
     */
    @Override
    public MBeanInfo getMBeanInfo()
    {
        final List<MBeanAttributeInfo> attributes = new ArrayList<>();
        counters.reader().forEach((id, label) -> attributes.add(
            new MBeanAttributeInfo(label, "long", "counter " + id + ": " + label, true, false, false)));
        return new MBeanInfo(JmxCounters.class.getName(), "a Ringside engine's counters (./ringside stat)",
            attributes.toArray(new MBeanAttributeInfo[0]), null, null, null);
    }

    /**
     * Unregisters the counters (once; an engine's close does not: close this first, or with it).
     */
    @Override
    public void close()
    {
        try
        {
            if (server.isRegistered(objectName))
            {
                server.unregisterMBean(objectName);
            }
        }
        catch (final JMException ex)
        {
            throw new IllegalStateException("the engine's counters could not be unregistered from JMX: " + ex.getMessage(), ex);
        }
    }
}
